using System.Buffers;
using System.Runtime.CompilerServices;

namespace EdgeAgent.Drivers.Modbus;

/// <summary>Retry policy of a <see cref="ModbusClient"/>.</summary>
public sealed record ModbusClientOptions
{
    /// <summary>Extra attempts after a transient failure (timeout, broken connection, bad frame, device busy).</summary>
    public int Retries { get; init; } = 1;

    /// <summary>Delay before the first retry; doubled for each further retry, capped at 2 s.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(50);
}

/// <summary>
/// Modbus functions 1, 2, 3, 4, 5, 6, 15 and 16 over any <see cref="ModbusTransport"/>: builds the request PDU,
/// checks the answer against it, retries transient faults with backoff and reports failures as
/// <see cref="ModbusException"/> naming endpoint, unit, function and address. Safe for concurrent use (up to the
/// transport's <see cref="ModbusTransport.MaxInFlight"/> requests are then pipelined).
/// <example><code>
/// await using var client = new ModbusClient(new ModbusTcpTransport(new ModbusTcpOptions { Host = "10.0.0.5" }));
/// ushort[] regs = await client.ReadHoldingRegistersAsync(unitId: 1, address: 100, count: 10, ct);
/// </code></example>
/// </summary>
public sealed class ModbusClient : IAsyncDisposable
{
    private readonly ModbusClientOptions _options;

    public ModbusClient(ModbusTransport transport, ModbusClientOptions? options = null)
    {
        Transport = transport;
        _options = options ?? new ModbusClientOptions();
    }

    public ModbusTransport Transport { get; }

    public string Endpoint => Transport.Endpoint;

    /// <summary>Retries made (transient failures that were retried).</summary>
    public long RetryCount;

    /// <summary>
    /// Reads <paramref name="count"/> registers or bits of <paramref name="table"/> starting at <paramref name="address"/>
    /// into <paramref name="destination"/> as the wire carries them (big-endian registers, or bits packed LSB first);
    /// returns the bytes written. Allocation-free once warm.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadAsync(byte unitId, ModbusTable table, ushort address, ushort count, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var function = ModbusLimits.ReadFunction(table);
        var buffer = ArrayPool<byte>.Shared.Rent(ModbusLimits.MaxPduLength + 8);
        try
        {
            var requestLength = ModbusPdu.WriteReadRequest(buffer, function, address, count);
            var request = buffer.AsMemory(0, requestLength);
            var response = buffer.AsMemory(8);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var length = await Transport.ExchangeAsync(unitId, request, response, cancellationToken).ConfigureAwait(false);
                    var data = ModbusPdu.ParseReadResponse(response.Span[..length], function, count);
                    data.CopyTo(destination.Span);
                    return data.Length;
                }
                catch (ModbusException e)
                {
                    if (!await ShouldRetryAsync(e, attempt, cancellationToken).ConfigureAwait(false))
                    {
                        throw e.With(Endpoint, unitId, function, address);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default) =>
        await ReadRegistersAsync(unitId, ModbusTable.HoldingRegister, address, count, cancellationToken).ConfigureAwait(false);

    public async Task<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default) =>
        await ReadRegistersAsync(unitId, ModbusTable.InputRegister, address, count, cancellationToken).ConfigureAwait(false);

    public Task<bool[]> ReadCoilsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default) =>
        ReadBitsAsync(unitId, ModbusTable.Coil, address, count, cancellationToken);

    public Task<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default) =>
        ReadBitsAsync(unitId, ModbusTable.DiscreteInput, address, count, cancellationToken);

    /// <summary>FC 5.</summary>
    public Task WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default)
    {
        var pdu = new byte[5];
        ModbusPdu.WriteSingleCoilRequest(pdu, address, value);
        return WriteAsync(unitId, FunctionCode.WriteSingleCoil, address, value ? (ushort)0xFF00 : (ushort)0, pdu, cancellationToken);
    }

    /// <summary>FC 6.</summary>
    public Task WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default)
    {
        var pdu = new byte[5];
        ModbusPdu.WriteSingleRegisterRequest(pdu, address, value);
        return WriteAsync(unitId, FunctionCode.WriteSingleRegister, address, value, pdu, cancellationToken);
    }

    /// <summary>FC 15.</summary>
    public Task WriteMultipleCoilsAsync(byte unitId, ushort address, bool[] values, CancellationToken cancellationToken = default)
    {
        var pdu = new byte[ModbusLimits.MaxPduLength];
        var n = ModbusPdu.WriteMultipleCoilsRequest(pdu, address, values);
        return WriteAsync(unitId, FunctionCode.WriteMultipleCoils, address, (ushort)values.Length, pdu.AsMemory(0, n), cancellationToken);
    }

    /// <summary>FC 16: <paramref name="values"/> are register values (host order; sent big-endian).</summary>
    public Task WriteMultipleRegistersAsync(byte unitId, ushort address, ushort[] values, CancellationToken cancellationToken = default)
    {
        var wire = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(wire.AsSpan(i * 2), values[i]);
        }

        return WriteRegisterBytesAsync(unitId, address, wire, cancellationToken);
    }

    /// <summary>FC 16 with registers already as wire bytes (e.g. from <see cref="ModbusValueCodec.Encode"/>).</summary>
    public Task WriteRegisterBytesAsync(byte unitId, ushort address, byte[] registers, CancellationToken cancellationToken = default)
    {
        var pdu = new byte[ModbusLimits.MaxPduLength];
        var n = ModbusPdu.WriteMultipleRegistersRequest(pdu, address, registers);
        return WriteAsync(unitId, FunctionCode.WriteMultipleRegisters, address, (ushort)(registers.Length / 2), pdu.AsMemory(0, n), cancellationToken);
    }

    private async Task<ushort[]> ReadRegistersAsync(byte unitId, ModbusTable table, ushort address, ushort count, CancellationToken cancellationToken)
    {
        var data = new byte[count * 2];
        await ReadAsync(unitId, table, address, count, data, cancellationToken).ConfigureAwait(false);
        var result = new ushort[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(i * 2));
        }

        return result;
    }

    private async Task<bool[]> ReadBitsAsync(byte unitId, ModbusTable table, ushort address, ushort count, CancellationToken cancellationToken)
    {
        var data = new byte[(count + 7) / 8];
        await ReadAsync(unitId, table, address, count, data, cancellationToken).ConfigureAwait(false);
        var result = new bool[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = ModbusValueCodec.Bit(data, i);
        }

        return result;
    }

    private async Task WriteAsync(byte unitId, FunctionCode function, ushort address, ushort echo, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        var response = new byte[ModbusLimits.MaxPduLength];
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var length = await Transport.ExchangeAsync(unitId, request, response, cancellationToken).ConfigureAwait(false);
                if (unitId == 0)
                {
                    return; // broadcast: no answer (Modbus over serial line §2.1)
                }

                ModbusPdu.ParseWriteResponse(response.AsSpan(0, length), function, address, echo);
                return;
            }
            catch (ModbusException e)
            {
                // A write that timed out may have been applied: retrying FC 5/6/15/16 is idempotent, so it is safe.
                if (!await ShouldRetryAsync(e, attempt, cancellationToken).ConfigureAwait(false))
                {
                    throw e.With(Endpoint, unitId, function, address);
                }
            }
        }
    }

    private async ValueTask<bool> ShouldRetryAsync(ModbusException e, int attempt, CancellationToken cancellationToken)
    {
        if (!e.IsTransient || attempt >= _options.Retries)
        {
            return false;
        }

        Interlocked.Increment(ref RetryCount);
        var delay = TimeSpan.FromTicks(Math.Min(_options.RetryBackoff.Ticks << Math.Min(attempt, 16), TimeSpan.FromSeconds(2).Ticks));
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public ValueTask DisposeAsync() => Transport.DisposeAsync();
}
