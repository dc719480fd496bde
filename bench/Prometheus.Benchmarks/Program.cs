using BenchmarkDotNet.Running;

namespace PrometheusBenchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Prometheus.Benchmarks -- --filter '*'</c>: what a scrape of /metrics costs
/// with N sources (the text writer alone, and a whole HTTP GET through Kestrel), and what counting on the hot path
/// costs per sample. The agent's resident memory with the endpoint on and off: <c>bench/Prometheus.Benchmarks/rss.sh</c>.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
