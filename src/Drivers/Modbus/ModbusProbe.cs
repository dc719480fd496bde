using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace EdgeAgent.Drivers.Modbus;

/// <summary>
/// What <see cref="ModbusProbe"/> measures: <see cref="Requests"/> reads of <see cref="Read"/> (<c>TABLE:START:COUNT</c>,
/// e.g. <c>hr:0:125</c>) from unit <see cref="Unit"/> at <see cref="Url"/> (<c>modbus-tcp://HOST:PORT</c>,
/// <c>modbus-rtu:///dev/ttyUSB0?baud=19200&amp;parity=E</c>, <c>modbus-rtu-tcp://HOST:PORT</c>), with up to
/// <see cref="InFlight"/> requests outstanding (Modbus TCP only; the other transports send one at a time).
/// </summary>
public sealed record ModbusProbeOptions(string Url, byte Unit, string Read, int Requests, int InFlight, TimeSpan Timeout);

/// <summary>
/// The probe's outcome: <see cref="Json"/> is the one-line summary
/// (<c>{"requests":N,"errors":E,"rps":…,"p50_us":…,"p99_us":…,"max_us":…,"cpu_us_per_request":…,…}</c>);
/// <see cref="Error"/> is set instead when the URL names no transport (nothing was sent).
/// </summary>
public sealed record ModbusProbeResult(int Requests, int Errors, string Json, string? Error = null);

/// <summary>
/// Commissioning probe: how fast does a device answer? Sends N reads of one block (one untimed read first, which opens
/// the connection or the serial port) and summarises throughput, latency percentiles and this process's CPU and
/// allocations per request. Usable without the agent.
/// </summary>
public static class ModbusProbe
{
    /// <summary><c>hr:0:125</c> → hr:0, 125. Any address form of <see cref="ModbusAddress"/> is accepted for the start.</summary>
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

    /// <summary>
    /// The transport a URL names (not yet connected): <c>modbus-tcp://h:p</c>, <c>modbus-rtu-tcp://h:p</c>,
    /// <c>modbus-rtu:///dev/x?baud=&amp;parity=&amp;data=&amp;stop=</c> (parity defaults to even); null with
    /// <paramref name="error"/> when the URL is not one of these.
    /// </summary>
    public static ModbusTransport? CreateTransport(string url, TimeSpan timeout, int maxInFlight, out string? error)
    {
        error = null;
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator < 0 ? string.Empty : url[..separator].ToLowerInvariant();
        var rest = separator < 0 ? string.Empty : url[(separator + 3)..];
        switch (scheme)
        {
            case "modbus-tcp" or "modbus-rtu-tcp":
                if (!ModbusSourceOptions.TryParseEndpoint(rest.TrimEnd('/'), out var host, out var port, out error))
                {
                    error = $"{url}: {error}";
                    return null;
                }

                return scheme == "modbus-tcp"
                    ? new ModbusTcpTransport(new ModbusTcpOptions { Host = host, Port = port, Timeout = timeout, MaxInFlight = maxInFlight })
                    : ModbusRtuTransport.ForTcp(host, port, timeout);
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
                            error = $"{url}: unknown or invalid parameter '{pair}'; expected baud=N, parity=N|E|O, data=7|8, stop=1|2";
                            return null;
                    }
                }

                if (path.Length == 0)
                {
                    error = $"{url}: expected a device path such as modbus-rtu:///dev/ttyUSB0";
                    return null;
                }

                return ModbusRtuTransport.ForSerialPort(serial, timeout);
            default:
                error = $"unknown scheme '{scheme}'; expected modbus-tcp, modbus-rtu or modbus-rtu-tcp";
                return null;
        }
    }

    /// <summary>
    /// Runs the probe. Failed reads are counted (the first one's message is in the summary), never thrown; a URL that
    /// names no transport gives a result with <see cref="ModbusProbeResult.Error"/>.
    /// </summary>
    public static async Task<ModbusProbeResult> RunAsync(ModbusProbeOptions options, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Requests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.InFlight, 1);
        if (!TryParseRead(options.Read, out var start, out var count, out var error))
        {
            throw new ArgumentException(error, nameof(options));
        }

        var transport = CreateTransport(options.Url, options.Timeout, options.InFlight, out error);
        if (transport is null)
        {
            return new ModbusProbeResult(0, 0, string.Empty, error);
        }

        await using var client = new ModbusClient(transport, new ModbusClientOptions { Retries = 0 });
        var unit = options.Unit;
        var inflight = Math.Min(options.InFlight, transport.MaxInFlight);

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

        var latencies = new long[options.Requests];
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
                while ((i = Interlocked.Increment(ref next)) < options.Requests)
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
            ["requests"] = options.Requests,
            ["errors"] = errors,
            ["rps"] = Math.Round(options.Requests / elapsed.TotalSeconds, 1),
            ["p50_us"] = Us(Percentile(0.50)),
            ["p99_us"] = Us(Percentile(0.99)),
            ["max_us"] = Us(latencies[^1]),
            ["cpu_us_per_request"] = Math.Round(cpu.TotalMicroseconds / options.Requests, 2),
            ["alloc_bytes_per_request"] = Math.Round((double)allocated / options.Requests, 1),
            ["inflight"] = inflight,
            ["endpoint"] = transport.Endpoint,
            ["read"] = $"{start}:{count}",
        };
        if (firstError is not null)
        {
            summary["first_error"] = firstError;
        }

        return new ModbusProbeResult(options.Requests, errors, JsonSerializer.Serialize(summary));
    }
}
