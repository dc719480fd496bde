using System.Buffers;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using EdgeAgent.Outputs.Prometheus;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace PrometheusBenchmarks;

/// <summary>
/// A scrape with <see cref="Sources"/> sources, each with its samples, up, read-error series and a poll-duration
/// histogram (14 buckets), plus the agent-wide series and the runtime's. <see cref="Write"/>: the text into a reused
/// buffer (what the endpoint writes into the response pipe). <see cref="HttpGet"/>: a whole GET /metrics over loopback
/// through Kestrel and HttpClient, both in this process, so the allocations column counts server and client.
/// </summary>
[MemoryDiagnoser]
public class ScrapeBenchmarks
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 22);
    private MetricsExposition _exposition = null!;
    private PrometheusComponent _component = null!;
    private HttpClient _http = null!;
    private string _url = null!;

    [Params(10, 100, 1000)]
    public int Sources { get; set; }

    /// <summary>Bytes of one scrape (reported once, to read beside the time).</summary>
    public int ScrapeBytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var metrics = new AgentMetrics();
        var sources = new string[Sources];
        var tags = new List<TagConfig>();
        for (var i = 0; i < Sources; i++)
        {
            sources[i] = $"plc{i:0000}";
            tags.Add(new TagConfig { Id = i, Source = sources[i], Name = "t" });
            metrics.SamplesTotal(sources[i]).Add(1000 + i);
            metrics.SourceUp(sources[i]).Set(1);
            metrics.ReadErrorsTotal(sources[i]).Add(i % 3);
            var poll = metrics.PollDuration(sources[i]);
            for (var k = 0; k < 20; k++)
            {
                poll.Observe(TimeSpan.FromMilliseconds(1 + k));
            }
        }

        metrics.Gauge("edgeagent_outbox_pending").Set(12);
        metrics.Gauge("edgeagent_alarms_active").Set(1);
        metrics.DroppedTotal("samples");
        metrics.PublishLatency().Observe(TimeSpan.FromMilliseconds(8));
        _exposition = new MetricsExposition(metrics);
        _exposition.Write(_buffer);
        ScrapeBytes = _buffer.WrittenCount;
        Console.WriteLine($"// {Sources} sources: {ScrapeBytes} bytes per scrape");

        var port = FreePort();
        var context = new AgentContext(new AgentIdentity { Id = "bench", Site = "bench", Data = Path.GetTempPath() }, new TagDirectory(tags, sources), NullLoggerFactory.Instance, metrics);
        _component = new PrometheusComponent(new PrometheusOptions { Listen = $"127.0.0.1:{port}" });
        _component.Register(context);
        _component.StartAsync(CancellationToken.None).GetAwaiter().GetResult(); // set-up, not measured
        _url = $"http://127.0.0.1:{port}/metrics";
        _http = new HttpClient();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _component.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public int Write()
    {
        _buffer.ResetWrittenCount();
        _exposition.Write(_buffer);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public async Task<int> HttpGet()
    {
        using var response = await _http.GetAsync(_url, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var total = 0;
        var chunk = ArrayPool<byte>.Shared.Rent(16384);
        int n;
        while ((n = await body.ReadAsync(chunk)) > 0)
        {
            total += n;
        }

        ArrayPool<byte>.Shared.Return(chunk);
        return total;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>What the hot path pays per sample for being counted: a counter increment and a histogram observation.</summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private const int PerInvoke = 1000;
    private AgentMetrics.Counter _counter = null!;
    private AgentMetrics.Histogram _histogram = null!;

    [GlobalSetup]
    public void Setup()
    {
        var metrics = new AgentMetrics();
        _counter = metrics.SamplesTotal("plc1");
        _histogram = metrics.PollDuration("plc1");
    }

    [Benchmark(OperationsPerInvoke = PerInvoke)]
    public void CounterInc()
    {
        for (var i = 0; i < PerInvoke; i++)
        {
            _counter.Inc();
        }
    }

    [Benchmark(OperationsPerInvoke = PerInvoke)]
    public void HistogramObserve()
    {
        for (var i = 0; i < PerInvoke; i++)
        {
            _histogram.ObserveTicks(i * 250L);
        }
    }
}

/// <summary>
/// The peer: prometheus-net 8 holding the same series as <see cref="ScrapeBenchmarks"/> (per source a samples counter,
/// an up gauge, a read-error counter and a poll-duration histogram with the same buckets), serialised with its own
/// text exporter into a reused stream; and its per-sample costs beside ours.
/// </summary>
[MemoryDiagnoser]
public class PrometheusNetPeerBenchmarks
{
    private const int PerInvoke = 1000;
    private readonly MemoryStream _stream = new(1 << 22);
    private Prometheus.CollectorRegistry _registry = null!;
    private Prometheus.Counter.Child _counter = null!;
    private Prometheus.Histogram.Child _histogram = null!;

    [Params(10, 100, 1000)]
    public int Sources { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        var samples = factory.CreateCounter("edgeagent_samples_total", "Samples.", new Prometheus.CounterConfiguration { LabelNames = ["source"] });
        var up = factory.CreateGauge("edgeagent_source_up", "Up.", new Prometheus.GaugeConfiguration { LabelNames = ["source"] });
        var errors = factory.CreateCounter("edgeagent_read_errors_total", "Errors.", new Prometheus.CounterConfiguration { LabelNames = ["source"] });
        var poll = factory.CreateHistogram("edgeagent_poll_duration_seconds", "Poll.", new Prometheus.HistogramConfiguration { LabelNames = ["source"], Buckets = AgentMetrics.DurationBuckets });
        for (var i = 0; i < Sources; i++)
        {
            var source = $"plc{i:0000}";
            samples.WithLabels(source).Inc(1000 + i);
            up.WithLabels(source).Set(1);
            errors.WithLabels(source).Inc(i % 3);
            for (var k = 0; k < 20; k++)
            {
                poll.WithLabels(source).Observe((1 + k) / 1000.0);
            }
        }

        factory.CreateGauge("edgeagent_outbox_pending", "Pending.").Set(12);
        factory.CreateGauge("edgeagent_alarms_active", "Active.").Set(1);
        _counter = samples.WithLabels("plc0000");
        _histogram = poll.WithLabels("plc0000");
        _registry.CollectAndExportAsTextAsync(_stream).GetAwaiter().GetResult();
        Console.WriteLine($"// prometheus-net, {Sources} sources: {_stream.Length} bytes per scrape");
    }

    [Benchmark]
    public async Task<long> Write()
    {
        _stream.SetLength(0);
        await _registry.CollectAndExportAsTextAsync(_stream);
        return _stream.Length;
    }

    [Benchmark(OperationsPerInvoke = PerInvoke)]
    public void CounterInc()
    {
        for (var i = 0; i < PerInvoke; i++)
        {
            _counter.Inc();
        }
    }

    [Benchmark(OperationsPerInvoke = PerInvoke)]
    public void HistogramObserve()
    {
        for (var i = 0; i < PerInvoke; i++)
        {
            _histogram.Observe(i * 250 / 1e7);
        }
    }
}
