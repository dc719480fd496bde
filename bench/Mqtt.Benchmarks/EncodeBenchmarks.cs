using BenchmarkDotNet.Attributes;
using EdgeAgent;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Hosting;
using EdgeAgent.Outputs.Mqtt;
using EdgeAgent.Outputs.Outbox;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;

namespace MqttBenchmarks;

/// <summary>Per-sample cost of the JSON and Sparkplug encoders (what the router thread pays per sample for MQTT).</summary>
[MemoryDiagnoser]
public class EncodeBenchmarks
{
    private readonly Sample[] _batch = new Sample[10];
    private JsonFormat _json = null!;
    private EdgeAgent.Outputs.Sparkplug.SparkplugFormat _sparkplug = null!;

    [GlobalSetup]
    public void Setup()
    {
        var dir = Directory.CreateTempSubdirectory("encode-bench-").FullName;
        var path = Path.Combine(dir, "c.yaml");
        File.WriteAllText(path, "agent: { id: b, site: s }\nsources:\n  - name: sim\n    driver: simulator\n    tags:\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"      - {{ name: t{i}, signal: counter }}\n")));
        var config = ConfigLoader.Load(path);
        var context = new AgentContext(config, new TagDirectory(config), NullLoggerFactory.Instance, new AgentMetrics());
        var options = new MqttOptions { Broker = new Uri("mqtt://127.0.0.1:1") };
        _json = new JsonFormat(context, options, NullEmitter.Instance);
        _sparkplug = new EdgeAgent.Outputs.Sparkplug.SparkplugFormat(context, options with { Format = "sparkplug" }, NullEmitter.Instance, NullLogger.Instance);
        for (var i = 0; i < _batch.Length; i++)
        {
            _batch[i] = Sample.Good(i, 10.0 + i, DateTime.UtcNow.Ticks);
        }
    }

    [Benchmark(Description = "JSON per tag, 10 samples")]
    public void JsonPerTag() => _json.OnSamples(_batch);

    [Benchmark(Description = "Sparkplug DDATA, 10 samples")]
    public void SparkplugDdata() => _sparkplug.OnSamples(_batch);

    private sealed class NullEmitter : IMqttEmitter
    {
        public static readonly NullEmitter Instance = new();

        public void Emit(MessageClass @class, int qos, string topic, byte[] payload, bool retain, bool sparkplug = false)
        {
        }

        public void SendDirect(MqttApplicationMessage message)
        {
        }

        public void RequestRebirth()
        {
        }

        public void Wake()
        {
        }
    }
}
