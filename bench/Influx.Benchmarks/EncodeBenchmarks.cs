using BenchmarkDotNet.Attributes;
using EdgeAgent.Drivers;
using EdgeAgent.Outputs.Influx;
using EdgeAgent.Pipeline;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;

namespace InfluxBenchmarks;

/// <summary>
/// The encode path per point: our <see cref="LineProtocol.WriteSample"/> into a pooled buffer, against the reference
/// client's <c>PointData</c> builder and <c>ToLineProtocol()</c> for the same sample. One operation = 10,000 points.
/// </summary>
[MemoryDiagnoser]
public class EncodeBenchmarks
{
    public const int Points = 10_000;

    private readonly Sample[] _samples = new Sample[Points];
    private TagDirectory _directory = null!;
    private LineProtocol _protocol = null!;
    private LineBuffer _line = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Load.Directory(Points);
        _protocol = new LineProtocol(_directory);
        _line = new LineBuffer(Points * 96);
        var ticks = DateTime.UtcNow.Ticks;
        for (var i = 0; i < Points; i++)
        {
            _samples[i] = new Sample(i, 10 + (i * 0.001), Quality.Good, ticks + i, ticks + i);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _line.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public int Ours()
    {
        _line.Clear();
        foreach (ref readonly var s in _samples.AsSpan())
        {
            _protocol.WriteSample(_line, in s);
        }

        return _line.Length;
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public int InfluxDbClient()
    {
        var length = 0;
        foreach (var s in _samples)
        {
            var tag = _directory.Tags[s.TagId];
            var point = PointData.Measurement("samples")
                .Tag("source", tag.Source)
                .Tag("tag", tag.Name)
                .Tag("unit", tag.Unit)
                .Field("value", s.Value)
                .Field("quality", (long)s.Quality)
                .Timestamp((s.SourceTicks - DateTime.UnixEpoch.Ticks) * 100, WritePrecision.Ns);
            length += point.ToLineProtocol().Length;
        }

        return length;
    }
}
