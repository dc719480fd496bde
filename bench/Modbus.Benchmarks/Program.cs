using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Modbus.Benchmarks -- --filter '*' --job short
// End-to-end (our client vs libmodbus vs pymodbus against one libmodbus server): bench/Modbus.Benchmarks/run-e2e.sh
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

public partial class Program;
