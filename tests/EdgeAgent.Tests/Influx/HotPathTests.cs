using EdgeAgent.Drivers;
using EdgeAgent.Outputs.Influx;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Tests.Influx;

/// <summary>The router's side of the sink and the per-sample encoding allocate nothing.</summary>
public sealed class HotPathTests
{
    private static TagDirectory Directory(int n) => new(
        Enumerable.Range(0, n).Select(i => new TagConfig { Id = i, Source = "line 1", Name = $"t,{i}", Unit = i % 2 == 0 ? "mm" : null }).ToList(),
        ["line 1"]);

    [Fact]
    public async Task OnSamples_and_the_line_protocol_of_a_sample_allocate_nothing()
    {
        var directory = Directory(1000);
        var options = new InfluxOptions { Url = new Uri("http://127.0.0.1:9"), Bucket = "b", Buffer = 100_000 };
        await using var sink = new InfluxSink(options, directory, new AgentMetrics(), NullLogger.Instance, Path.Combine(Path.GetTempPath(), "influx-hot-path"));
        var samples = Enumerable.Range(0, 1000).Select(i => new Sample(i, i * 0.5, Quality.Good, DateTime.UtcNow.Ticks, 0)).ToArray();
        for (var r = 0; r < 6; r++)
        {
            sink.OnSamples(samples); // warm-up, past batchSize: the first wake-up of the encoder initialises its semaphore once
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var r = 0; r < 50; r++)
        {
            sink.OnSamples(samples);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        var protocol = new LineProtocol(directory);
        using var line = new LineBuffer(1 << 20);
        foreach (ref readonly var s in samples.AsSpan())
        {
            protocol.WriteSample(line, in s); // warm-up: first use of the number formatting
        }

        line.Clear();
        before = GC.GetAllocatedBytesForCurrentThread();
        foreach (ref readonly var s in samples.AsSpan())
        {
            protocol.WriteSample(line, in s);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        var text = LineProtocol.Text(line).Split('\n');
        Assert.StartsWith(@"samples,source=line\ 1,tag=t\,0,unit=mm value=0,quality=0i ", text[0]);
        Assert.StartsWith(@"samples,source=line\ 1,tag=t\,1 value=0.5,quality=0i ", text[1]);
    }
}
