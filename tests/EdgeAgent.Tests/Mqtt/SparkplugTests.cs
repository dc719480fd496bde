using System.Diagnostics;
using System.Text.Json;
using EdgeAgent.Outputs.Mqtt.Sparkplug.Proto;
using EdgeAgent.Pipeline;
using Google.Protobuf;
using Xunit.Abstractions;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>
/// Sparkplug B 3.0 as a host application sees it, decoded by the independent npm <c>sparkplug-payload</c> decoder
/// (tests/peers/sparkplug/decode.js): births, aliases, datatypes, seq, bdSeq, rebirth, DDEATH, primary host STATE.
/// </summary>
public sealed class SparkplugTests(ITestOutputHelper output)
{
    private const string Prefix = "spBv1.0/line-1/";

    private static string Config(Mosquitto broker, string extra = "") => $$"""
        agent: { id: spb-gw, site: acme/plant-a/line-1 }
        sources:
          - name: sim
            driver: simulator
            poll: 100ms
            tags:
              - { name: count, signal: counter }
              - { name: temp, signal: constant, mean: 60, unit: C }
        outputs:
          mqtt: { broker: "{{broker.Url}}", format: sparkplug{{extra}} }
        """;

    [Fact]
    public async Task Births_data_and_death_decode_with_the_reference_decoder_with_names_aliases_datatypes_seq_and_bdSeq()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, "spBv1.0/#");
        var agent = await AgentHarness.StartAsync(Config(broker), output);
        await subscriber.WaitUntilAsync(m => m.Count(x => x.Topic == Prefix + "DDATA/spb-gw/sim") >= 5, TimeSpan.FromSeconds(30), "5 DDATA");
        await agent.DisposeAsync(); // clean stop: NDEATH published by the agent itself
        await subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == Prefix + "NDEATH/spb-gw"), TimeSpan.FromSeconds(30), "NDEATH");

        var messages = subscriber.Messages.Where(m => m.Topic.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
        var decoded = await DecodeAsync(messages.Select(m => m.Payload));
        var byTopic = messages.Select((m, i) => (m.Topic, Payload: decoded[i])).ToList();

        var nbirth = byTopic.First(x => x.Topic == Prefix + "NBIRTH/spb-gw").Payload;
        Assert.Equal(0, nbirth.GetProperty("seq").GetInt64());
        var bdSeq = Metric(nbirth, "bdSeq");
        Assert.Equal("Int64", bdSeq.GetProperty("type").GetString());
        var rebirth = Metric(nbirth, "Node Control/Rebirth");
        Assert.Equal("Boolean", rebirth.GetProperty("type").GetString());
        Assert.False(rebirth.GetProperty("value").GetBoolean());

        var dbirth = byTopic.First(x => x.Topic == Prefix + "DBIRTH/spb-gw/sim").Payload;
        Assert.Equal(1, dbirth.GetProperty("seq").GetInt64());
        var count = Metric(dbirth, "count");
        var temp = Metric(dbirth, "temp");
        Assert.Equal("Double", count.GetProperty("type").GetString());
        Assert.Equal(1, count.GetProperty("alias").GetInt64());
        Assert.Equal(2, temp.GetProperty("alias").GetInt64());
        // The birth carries the latest value, or none (null) when the agent connected before the first poll answered; every
        // value of temp, in the birth or the data after it, is the constant 60, and there is at least one.
        Assert.Contains(temp.GetProperty("value").GetRawText(), new[] { "60", "null" });

        // Data by alias only, seq continuing from the births, wrapping at 255.
        var ddata = byTopic.Where(x => x.Topic == Prefix + "DDATA/spb-gw/sim").Select(x => x.Payload).ToList();
        var seqs = byTopic.Where(x => x.Topic != Prefix + "NDEATH/spb-gw").Select(x => x.Payload.GetProperty("seq").GetInt64()).ToList();
        for (var i = 1; i < seqs.Count; i++)
        {
            Assert.Equal((seqs[i - 1] + 1) % 256, seqs[i]);
        }

        foreach (var d in ddata)
        {
            foreach (var m in d.GetProperty("metrics").EnumerateArray())
            {
                Assert.False(m.TryGetProperty("name", out _), "DDATA metrics carry the alias, not the name");
                Assert.Contains(m.GetProperty("alias").GetInt64(), (long[])[1, 2]);
                Assert.Equal("Double", m.GetProperty("type").GetString());
            }
        }

        var temps = ddata.SelectMany(d => d.GetProperty("metrics").EnumerateArray()).Where(m => m.GetProperty("alias").GetInt64() == 2).Prepend(temp)
            .Where(m => m.GetProperty("value").ValueKind == JsonValueKind.Number).Select(m => m.GetProperty("value").GetDouble()).ToList();
        Assert.NotEmpty(temps);
        Assert.All(temps, t => Assert.Equal(60, t));

        var counts = ddata.Select(d => d.GetProperty("metrics").EnumerateArray().First(m => m.GetProperty("alias").GetInt64() == 1).GetProperty("value").GetDouble()).ToList();
        Assert.Equal(Enumerable.Range((int)counts[0], counts.Count).Select(i => (double)i), counts);

        var ndeath = byTopic.Last(x => x.Topic == Prefix + "NDEATH/spb-gw").Payload;
        Assert.Equal(bdSeq.GetProperty("value").GetInt64(), Metric(ndeath, "bdSeq").GetProperty("value").GetInt64());
    }

    [Fact]
    public async Task NCMD_rebirth_is_answered_with_a_new_NBIRTH_and_DBIRTH_and_a_down_source_gets_DDEATH()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, "spBv1.0/#");
        await using var agent = await AgentHarness.StartAsync(Config(broker), output);
        await subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == Prefix + "DDATA/spb-gw/sim"), TimeSpan.FromSeconds(30), "DDATA");

        var ncmd = new Payload { Timestamp = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() };
        ncmd.Metrics.Add(new Payload.Types.Metric { Name = "Node Control/Rebirth", Datatype = 11, BooleanValue = true });
        await subscriber.PublishAsync(Prefix + "NCMD/spb-gw", ncmd.ToByteArray());
        await subscriber.WaitUntilAsync(m => m.Count(x => x.Topic == Prefix + "NBIRTH/spb-gw") >= 2 && m.Count(x => x.Topic == Prefix + "DBIRTH/spb-gw/sim") >= 2, TimeSpan.FromSeconds(30), "a second NBIRTH and DBIRTH");
        var births = await DecodeAsync(subscriber.On(Prefix + "NBIRTH/spb-gw").Select(m => m.Payload));
        Assert.Equal(0, births[1].GetProperty("seq").GetInt64());
        Assert.Equal(Metric(births[0], "bdSeq").GetProperty("value").GetInt64(), Metric(births[1], "bdSeq").GetProperty("value").GetInt64());

        agent.Agent.Context.Publish(new SourceStateEvent(DateTime.UtcNow, "sim", Drivers.SourceState.Down, "timeout"));
        await subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == Prefix + "DDEATH/spb-gw/sim"), TimeSpan.FromSeconds(30), "DDEATH");
        var ddeath = (await DecodeAsync(subscriber.On(Prefix + "DDEATH/spb-gw/sim").Select(m => m.Payload))).Single();
        Assert.True(ddeath.TryGetProperty("seq", out _));
    }

    [Fact]
    public async Task With_a_primary_host_nothing_is_born_until_its_STATE_is_online()
    {
        await using var broker = await Mosquitto.StartAsync();
        await using var subscriber = await TestSubscriber.ConnectAsync(broker.Port, "spBv1.0/#");
        await using var agent = await AgentHarness.StartAsync(Config(broker, ", primaryHost: scada-1"), output);
        var sink = agent.Agent.Sinks.OfType<Outputs.Mqtt.MqttSink>().Single();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!sink.IsConnected || sink.Store.Pending < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, "the agent did not connect and queue data");
            await Task.Delay(50); // polling observable state, bounded by the deadline
        }

        Assert.DoesNotContain(subscriber.Messages, m => m.Topic.StartsWith(Prefix, StringComparison.Ordinal));
        await subscriber.PublishAsync("spBv1.0/STATE/scada-1", """{"online":true,"timestamp":1}""", retain: true);
        await subscriber.WaitUntilAsync(m => m.Any(x => x.Topic == Prefix + "NBIRTH/spb-gw") && m.Any(x => x.Topic == Prefix + "DDATA/spb-gw/sim"), TimeSpan.FromSeconds(30), "births and data once the host is online");
        var first = subscriber.Messages.First(m => m.Topic.StartsWith(Prefix, StringComparison.Ordinal));
        Assert.Equal(Prefix + "NBIRTH/spb-gw", first.Topic);

        // Data queued while the host was away arrives marked historical.
        var ddata = await DecodeAsync(subscriber.On(Prefix + "DDATA/spb-gw/sim").Take(1).Select(m => m.Payload));
        Assert.True(ddata[0].GetProperty("metrics")[0].GetProperty("isHistorical").GetBoolean());
    }

    private static JsonElement Metric(JsonElement payload, string name) =>
        payload.GetProperty("metrics").EnumerateArray().First(m => m.TryGetProperty("name", out var n) && n.GetString() == name);

    /// <summary>Runs the payloads through tests/peers/sparkplug/decode.js (npm sparkplug-payload).</summary>
    private static async Task<List<JsonElement>> DecodeAsync(IEnumerable<byte[]> payloads)
    {
        var script = Repo.PathOf("tests", "peers", "sparkplug", "decode.js");
        if (!File.Exists(Repo.PathOf("tests", "peers", "node_modules", "sparkplug-payload", "package.json")))
        {
            throw new InvalidOperationException("npm sparkplug-payload is not installed: run tests/peers/install.sh");
        }

        var psi = new ProcessStartInfo("node", [script]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var node = Process.Start(psi) ?? throw new InvalidOperationException("node is not installed");
        var list = payloads.ToList();
        foreach (var p in list)
        {
            await node.StandardInput.WriteLineAsync(Convert.ToHexString(p));
        }

        node.StandardInput.Close();
        var result = new List<JsonElement>();
        while (await node.StandardOutput.ReadLineAsync() is { } line)
        {
            var e = JsonDocument.Parse(line).RootElement.Clone();
            Assert.False(e.TryGetProperty("error", out var err), $"decoder error: {err}");
            result.Add(e);
        }

        await node.WaitForExitAsync();
        Assert.Equal(list.Count, result.Count);
        return result;
    }
}
