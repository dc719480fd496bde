using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using EdgeAgent.Equipment;
using EdgeAgent.Characteristics;
using EdgeAgent.Hosting;
using EdgeAgent.Config;
using EdgeAgent.Drivers;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Benchmarks;

/// <summary>
/// The pipeline hop: a source batch → bounded channel → router → one consumer per tag.
/// One operation = one batch of <see cref="BatchSize"/> samples; divide by it for per-sample figures.
/// Goal: ≥ 5 M samples/s on one core, 0 B allocated per sample.
/// </summary>
[MemoryDiagnoser]
public class PipelineHop
{
    [Params(100)]
    public int BatchSize;

    private SamplePipeline _pipeline = null!;
    private SourceWriter _writer = null!;
    private Sample[] _batch = null!;
    private Sum _consumer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var tags = string.Join(", ", Enumerable.Range(0, BatchSize).Select(i => $"{{ name: t{i} }}"));
        var (config, errors) = ConfigLoader.TryParse($"sources:\n  - {{ name: sim, driver: simulator, tags: [ {tags} ] }}\noutputs: {{ mqtt: false }}\n", "bench.yaml");
        if (errors.HasErrors)
        {
            throw new InvalidOperationException(string.Join("\n", errors.Errors));
        }

        _consumer = new Sum();
        var metrics = new AgentMetrics();
        var consumers = Enumerable.Range(0, BatchSize).Select(i => (i, (ISampleConsumer)_consumer)).ToList();
        _pipeline = new SamplePipeline(TagDirectory.Of(config!), consumers, [], 1024, metrics, NullLogger.Instance);
        _writer = _pipeline.CreateWriter(0, metrics);
        _batch = Enumerable.Range(0, BatchSize).Select(i => Sample.Good(i, i, 0)).ToArray();
    }

    /// <summary>Write one batch into the channel, then route it synchronously (what the router task does per batch).</summary>
    [Benchmark(OperationsPerInvoke = 1)]
    public double WriteAndRoute()
    {
        _writer.TryWrite(_batch);
        _pipeline.DrainForBenchmark();
        return _consumer.Total;
    }

    private sealed class Sum : ISampleConsumer
    {
        public double Total;

        public void OnSample(in Sample sample) => Total += sample.Value;
    }
}

public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
