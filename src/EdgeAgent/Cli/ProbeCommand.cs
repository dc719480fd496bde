using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeAgent.Config;
using EdgeAgent.Drivers.Modbus;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent probe URL …</c> — commissioning: how fast does a device answer? Dispatches on the URL scheme.
/// Modbus: <c>probe modbus-tcp://HOST:PORT --unit 1 --read hr:0:125 [--count N] [--inflight K]</c> (also
/// <c>modbus-rtu:///dev/ttyUSB0?baud=19200&amp;parity=E</c> and <c>modbus-rtu-tcp://HOST:PORT</c>) sends N reads and prints
/// <c>{"requests":N,"errors":E,"rps":…,"p50_us":…,"p99_us":…,"max_us":…,"cpu_us_per_request":…}</c>.
/// Exit 0 when every read succeeded, 1 when some failed, 2 for bad arguments.
/// </summary>
internal static class ProbeCommand
{
    public static Command Build()
    {
        var url = new Argument<string>("url") { Description = "modbus-tcp://HOST:PORT, modbus-rtu:///dev/ttyUSB0?baud=19200&parity=E, modbus-rtu-tcp://HOST:PORT, or opc.tcp://HOST:PORT" };
        var unit = new Option<int>("--unit") { Description = "Modbus unit id (default 1).", DefaultValueFactory = _ => 1 };
        var read = new Option<string>("--read") { Description = "What to read: TABLE:START:COUNT, e.g. hr:0:125, ir:10:4, coil:0:64 (default hr:0:1).", DefaultValueFactory = _ => "hr:0:1" };
        var count = new Option<int>("--count", "-n") { Description = "Reads to send (default 1000).", DefaultValueFactory = _ => 1000 };
        var inflight = new Option<int>("--inflight") { Description = "Modbus TCP: requests kept outstanding at once (pipelining; default 1).", DefaultValueFactory = _ => 1 };
        var timeout = new Option<string>("--timeout") { Description = "Per-request timeout (default 1s).", DefaultValueFactory = _ => "1s" };
        var subscribeBelow = new Option<string>("--subscribe-below") { Description = "OPC UA: subscribe every Variable below this node (e.g. ns=2;s=Line7)." };
        var sampling = new Option<string>("--sampling") { Description = "OPC UA: sampling interval of each item (default 10ms)." };
        var seconds = new Option<int>("--seconds") { Description = "OPC UA: how long to measure (default 10).", DefaultValueFactory = _ => 10 };
        var command = new Command("probe", "Measure how fast a device answers: N reads, one JSON summary line (requests, errors, rps, latency percentiles).")
        {
            url, unit, read, count, inflight, timeout, subscribeBelow, sampling, seconds,
        };
        command.SetAction(async (parse, ct) =>
        {
            var target = parse.GetValue(url)!;
            if (target.StartsWith("opc.tcp://", StringComparison.OrdinalIgnoreCase))
            {
                return await OpcUaProbeBranch.RunAsync(target, parse.GetValue(subscribeBelow), parse.GetValue(sampling) ?? "10ms", parse.GetValue(seconds), ct);
            }

            if (!target.StartsWith("modbus-", StringComparison.OrdinalIgnoreCase))
            {
                Console.Error.WriteLine($"probe: unsupported URL '{target}'; expected modbus-tcp://HOST:PORT, modbus-rtu:///dev/ttyX?baud=…, modbus-rtu-tcp://HOST:PORT or opc.tcp://…");
                return 2;
            }

            if (!Durations.TryParse(parse.GetValue(timeout) ?? "1s", out var limit) || limit <= TimeSpan.Zero)
            {
                Console.Error.WriteLine($"--timeout: expected a duration such as 500ms, found '{parse.GetValue(timeout)}'");
                return 2;
            }

            var args = new ModbusProbeArgs(target, parse.GetValue(unit), parse.GetValue(read)!, parse.GetValue(count), parse.GetValue(inflight), limit);
            if (args.Validate() is { } problem)
            {
                Console.Error.WriteLine(problem);
                return 2;
            }

            var result = await ModbusProbe.RunAsync(args, ct);
            if (result.Error is { } error)
            {
                Console.Error.WriteLine(error);
                return 2;
            }

            Console.Out.WriteLine(result.Json);
            return result.Errors == 0 ? 0 : 1;
        });
        return command;
    }
}

internal sealed record ModbusProbeArgs(string Url, int Unit, string Read, int Count, int InFlight, TimeSpan Timeout)
{
    public string? Validate()
    {
        if (Unit is < 0 or > 255)
        {
            return $"--unit: must be 0..255, found {Unit}";
        }

        if (Count < 1)
        {
            return $"--count: must be at least 1, found {Count}";
        }

        if (InFlight is < 1 or > 64)
        {
            return $"--inflight: must be 1..64, found {InFlight}";
        }

        return ModbusProbe.TryParseRead(Read, out _, out _, out var error) ? null : $"--read: {error}";
    }
}

/// <summary>The Modbus half of <c>probe</c>: separated from the command so tests can call it.</summary>
internal static class ModbusProbe
{
    public sealed record Result(int Requests, int Errors, string Json, string? Error = null);

    /// <summary><c>hr:0:125</c> → hr:0, 125. Any address form of ModbusAddress is accepted for the start.</summary>
    public static bool TryParseRead(string text, out ModbusAddress start, out ushort count, out string? error)
    {
        start = default;
        count = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out count) || count == 0)
        {
            error = $"expected TABLE:START:COUNT such as hr:0:125, found '{text}'";
            return false;
        }

        if (!ModbusAddress.TryParse(text[..colon], out start, out error))
        {
            return false;
        }

        if (start.IsBitOfRegister)
        {
            error = $"'{text}': probe reads whole registers, not a bit";
            return false;
        }

        var max = ModbusLimits.MaxReadCount(start.Table);
        if (count > max || start.Offset + count > 0x10000)
        {
            error = $"'{text}': count must be 1..{max} and stay below address 65536";
            return false;
        }

        return true;
    }

    /// <summary>Parses the URL into a transport: modbus-tcp://h:p, modbus-rtu-tcp://h:p, modbus-rtu:///dev/x?baud=&amp;parity=&amp;data=&amp;stop=.</summary>
    public static ModbusTransport? CreateTransport(ModbusProbeArgs args, out string? error)
    {
        error = null;
        var url = args.Url;
        var scheme = url[..Math.Max(0, url.IndexOf("://", StringComparison.Ordinal))].ToLowerInvariant();
        var rest = url[(scheme.Length + 3)..];
        switch (scheme)
        {
            case "modbus-tcp" or "modbus-rtu-tcp":
                if (!ModbusSourceOptions.TryParseEndpoint(rest.TrimEnd('/'), out var host, out var port, out error))
                {
                    error = $"probe: {url}: {error}";
                    return null;
                }

                return scheme == "modbus-tcp"
                    ? new ModbusTcpTransport(new ModbusTcpOptions { Host = host, Port = port, Timeout = args.Timeout, MaxInFlight = args.InFlight })
                    : ModbusRtuTransport.ForTcp(host, port, args.Timeout);
            case "modbus-rtu":
                var q = rest.IndexOf('?');
                var path = q < 0 ? rest : rest[..q];
                var serial = new ModbusSerialOptions { Port = path, Parity = System.IO.Ports.Parity.Even };
                foreach (var pair in (q < 0 ? string.Empty : rest[(q + 1)..]).Split('&', StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=');
                    var key = eq < 0 ? pair : pair[..eq];
                    var value = eq < 0 ? string.Empty : pair[(eq + 1)..];
                    switch (key)
                    {
                        case "baud" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var baud) && baud > 0:
                            serial = serial with { Baud = baud };
                            break;
                        case "parity" when value.ToUpperInvariant() is "N" or "E" or "O" or "NONE" or "EVEN" or "ODD":
                            serial = serial with
                            {
                                Parity = value.ToUpperInvariant()[0] switch { 'N' => System.IO.Ports.Parity.None, 'E' => System.IO.Ports.Parity.Even, _ => System.IO.Ports.Parity.Odd },
                            };
                            break;
                        case "data" or "dataBits" when value is "7" or "8":
                            serial = serial with { DataBits = value[0] - '0' };
                            break;
                        case "stop" or "stopBits" when value is "1" or "2":
                            serial = serial with { StopBits = value == "1" ? System.IO.Ports.StopBits.One : System.IO.Ports.StopBits.Two };
                            break;
                        default:
                            error = $"probe: {url}: unknown or invalid parameter '{pair}'; expected baud=N, parity=N|E|O, data=7|8, stop=1|2";
                            return null;
                    }
                }

                if (path.Length == 0)
                {
                    error = $"probe: {url}: expected a device path such as modbus-rtu:///dev/ttyUSB0";
                    return null;
                }

                return ModbusRtuTransport.ForSerialPort(serial, args.Timeout);
            default:
                error = $"probe: unknown scheme '{scheme}'; expected modbus-tcp, modbus-rtu or modbus-rtu-tcp";
                return null;
        }
    }

    public static async Task<Result> RunAsync(ModbusProbeArgs args, CancellationToken cancellationToken)
    {
        TryParseRead(args.Read, out var start, out var count, out _);
        var transport = CreateTransport(args, out var error);
        if (transport is null)
        {
            return new Result(0, 0, string.Empty, error);
        }

        await using var client = new ModbusClient(transport, new ModbusClientOptions { Retries = 0 });
        var unit = (byte)args.Unit;
        var inflight = Math.Min(args.InFlight, transport.MaxInFlight);

        // One untimed read opens the connection (and the serial port) so that the figures are per request.
        var warm = new byte[ModbusLimits.MaxPduLength];
        try
        {
            await client.ReadAsync(unit, start.Table, start.Offset, count, warm, cancellationToken).ConfigureAwait(false);
        }
        catch (ModbusException)
        {
            // Counted below like any other failure.
        }

        var latencies = new long[args.Count];
        var next = -1;
        var errors = 0;
        string? firstError = null;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        var workers = new Task[inflight];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                var data = new byte[ModbusLimits.MaxPduLength];
                int i;
                while ((i = Interlocked.Increment(ref next)) < args.Count)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    try
                    {
                        await client.ReadAsync(unit, start.Table, start.Offset, count, data, cancellationToken).ConfigureAwait(false);
                    }
                    catch (ModbusException e)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, e.Message, null);
                    }

                    latencies[i] = Stopwatch.GetTimestamp() - t0;
                }
            }, cancellationToken);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Array.Sort(latencies);
        double Us(long ticks) => Math.Round(ticks * 1_000_000.0 / Stopwatch.Frequency, 1);
        long Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)];
        var summary = new Dictionary<string, object?>
        {
            ["requests"] = args.Count,
            ["errors"] = errors,
            ["rps"] = Math.Round(args.Count / elapsed.TotalSeconds, 1),
            ["p50_us"] = Us(Percentile(0.50)),
            ["p99_us"] = Us(Percentile(0.99)),
            ["max_us"] = Us(latencies[^1]),
            ["cpu_us_per_request"] = Math.Round(cpu.TotalMicroseconds / args.Count, 2),
            ["alloc_bytes_per_request"] = Math.Round((double)allocated / args.Count, 1),
            ["inflight"] = inflight,
            ["endpoint"] = transport.Endpoint,
            ["read"] = $"{start}:{count}",
        };
        if (firstError is not null)
        {
            summary["first_error"] = firstError;
        }

        return new Result(args.Count, errors, JsonSerializer.Serialize(summary));
    }
}

/// <summary>
/// The opc.tcp branch of <c>edgeagent probe</c>: <c>probe opc.tcp://HOST:PORT[/PATH] --subscribe-below NODEID [--sampling 10ms]
/// [--seconds 10]</c> prints <c>{"items":N,"notifications":…,"per_s":…,"cpu_us_per_notification":…,"lost":…}</c>.
/// Exit 0 when nothing was lost, 1 when notifications were lost or the server failed, 2 for bad arguments.
/// </summary>
internal static class OpcUaProbeBranch
{
    public static async Task<int> RunAsync(string endpoint, string? below, string sampling, int seconds, CancellationToken ct)
    {
        if (below is null)
        {
            Console.Error.WriteLine("--subscribe-below: required for opc.tcp (e.g. ns=2;s=Line7)");
            return 2;
        }

        if (!EdgeAgent.Drivers.OpcUa.Encoding.ExpandedNodeId.TryParse(below, out var node, out var error))
        {
            Console.Error.WriteLine($"--subscribe-below: {error}");
            return 2;
        }

        if (!Durations.TryParse(sampling, out var interval) || interval < TimeSpan.Zero)
        {
            Console.Error.WriteLine($"--sampling: expected a duration such as 10ms, found '{sampling}'");
            return 2;
        }

        if (seconds is < 1 or > 3600)
        {
            Console.Error.WriteLine($"--seconds: expected 1 to 3600, found {seconds}");
            return 2;
        }

        try
        {
            var options = new EdgeAgent.Drivers.OpcUa.Client.UaClientOptions { EndpointUrl = endpoint };
            var publishing = TimeSpan.FromMilliseconds(Math.Max(100, interval.TotalMilliseconds));
            var r = await EdgeAgent.Drivers.OpcUa.OpcUaProbe.RunAsync(options, node, interval, TimeSpan.FromSeconds(seconds), publishing, ct);
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["items"] = r.Items,
                ["notifications"] = r.Notifications,
                ["per_s"] = Math.Round(r.PerSecond),
                ["cpu_us_per_notification"] = Math.Round(r.CpuMicrosecondsPerNotification, 3),
                ["lost"] = r.Lost,
                ["alloc_bytes_per_notification"] = Math.Round(r.AllocatedBytesPerNotification, 1),
            }));
            return r.Lost == 0 ? 0 : 1;
        }
        catch (EdgeAgent.Drivers.OpcUa.OpcUaException e)
        {
            Console.Error.WriteLine($"probe: {e.Message}");
            return 1;
        }
    }
}
