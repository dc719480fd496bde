using System.Globalization;
using EdgeAgent.Writes.Benchmarks;

// The closed loop's latency, sample that raises the alarm -> write acknowledged by the device (ClosedLoopLatency.cs):
//   dotnet run -c Release --project bench/Writes.Benchmarks -- modbus [LOOPS]   (pymodbus, Modbus TCP on loopback)
//   dotnet run -c Release --project bench/Writes.Benchmarks -- opcua [LOOPS]    (node-opcua-server on loopback)
// Default 1000 loops after 50 of warm-up. Exit 0 when every write was acknowledged.
if (args is not [("modbus" or "opcua") and var protocol, ..])
{
    Console.Error.WriteLine("usage: Writes.Benchmarks modbus|opcua [LOOPS]");
    return 2;
}

var loops = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
return await ClosedLoopLatency.RunAsync(protocol, loops, warmup: 50);
