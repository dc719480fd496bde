using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Spc.Benchmarks -- --filter '*StreamingBenchmarks*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

internal sealed partial class Program;
