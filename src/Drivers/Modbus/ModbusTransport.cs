namespace EdgeAgent.Drivers.Modbus;

/// <summary>
/// Moves one request PDU to a unit and its response PDU back: TCP (MBAP), RTU over a serial port, RTU over TCP.
/// Framing, transaction matching, timeouts and reconnects live here; function semantics live in <see cref="ModbusClient"/>.
/// </summary>
public abstract class ModbusTransport : IAsyncDisposable
{
    /// <summary>Where requests go, as operators write it (<c>host:port</c>, <c>/dev/ttyUSB0</c>).</summary>
    public abstract string Endpoint { get; }

    /// <summary>How many requests may be outstanding at once (1 for RTU).</summary>
    public abstract int MaxInFlight { get; }

    /// <summary>
    /// Sends <paramref name="request"/> (a PDU) to <paramref name="unitId"/>, copies the response PDU into
    /// <paramref name="response"/> (≥ 253 bytes) and returns its length. Throws <see cref="ModbusException"/> for
    /// timeouts (<see cref="ModbusErrorKind.Timeout"/>), broken or refused connections and bad frames;
    /// <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> fired.
    /// </summary>
    public abstract ValueTask<int> ExchangeAsync(byte unitId, ReadOnlyMemory<byte> request, Memory<byte> response, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
