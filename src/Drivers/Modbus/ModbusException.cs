namespace EdgeAgent.Drivers.Modbus;

/// <summary>What went wrong, for retry policy, metrics and the operator.</summary>
public enum ModbusErrorKind : byte
{
    /// <summary>The device answered with a Modbus exception response (see <see cref="ModbusException.ExceptionCode"/>).</summary>
    DeviceException,

    /// <summary>No (complete) answer within the request timeout. <see cref="Exception.InnerException"/> is a <see cref="TimeoutException"/>.</summary>
    Timeout,

    /// <summary>Could not connect, or the connection broke.</summary>
    Connection,

    /// <summary>The bytes received are not a valid frame (bad header, length over the cap, bad CRC, unknown function).</summary>
    Frame,

    /// <summary>A well-formed answer that does not match the request (wrong unit, function, byte count or echo).</summary>
    UnexpectedResponse,
}

/// <summary>
/// A Modbus fault with what an operator needs as properties: endpoint, unit id, function code, address,
/// exception code and, for bad bytes, the offset in the frame. <see cref="SourceException.IsTransient"/> drives retries.
/// </summary>
public sealed class ModbusException : SourceException
{
    public ModbusException(string endpoint, ModbusErrorKind kind, string message, bool isTransient, Exception? inner = null)
        : base(endpoint, message, isTransient, inner)
    {
        Kind = kind;
    }

    public ModbusErrorKind Kind { get; }

    public byte? UnitId { get; init; }

    public FunctionCode? Function { get; init; }

    /// <summary>First protocol address (0-based) of the request, when known.</summary>
    public ushort? Address { get; init; }

    public ModbusExceptionCode? ExceptionCode { get; init; }

    /// <summary>For <see cref="ModbusErrorKind.Frame"/>: offset in the frame of the offending byte.</summary>
    public int? ByteOffset { get; init; }

    /// <summary>What went wrong, without the endpoint/unit/function/address prefix of <see cref="Message"/>.</summary>
    public string Detail => base.Message;

    public override string Message
    {
        get
        {
            var where = Endpoint.Length == 0 ? string.Empty : $"{Endpoint}";
            var unit = UnitId is { } u ? $" unit {u}" : string.Empty;
            var fc = Function is { } f ? $" FC{(byte)f} {f}" : string.Empty;
            var addr = Address is { } a ? $" address {a}" : string.Empty;
            var prefix = (where + unit + fc + addr).Trim();
            return prefix.Length == 0 ? base.Message : $"{prefix}: {base.Message}";
        }
    }

    /// <summary>The same fault with the request's context filled in (codecs throw without knowing the endpoint).</summary>
    internal ModbusException With(string endpoint, byte unitId, FunctionCode function, ushort address) =>
        new(endpoint, Kind, base.Message, IsTransient, InnerException)
        {
            UnitId = UnitId ?? unitId,
            Function = Function ?? function,
            Address = Address ?? address,
            ExceptionCode = ExceptionCode,
            ByteOffset = ByteOffset,
        };

    internal static ModbusException Frame(string message, int byteOffset) =>
        new(string.Empty, ModbusErrorKind.Frame, message, isTransient: true) { ByteOffset = byteOffset };

    internal static ModbusException Unexpected(string message) =>
        new(string.Empty, ModbusErrorKind.UnexpectedResponse, message, isTransient: true);

    internal static ModbusException FromDevice(ModbusExceptionCode code, FunctionCode function)
    {
        var name = Enum.IsDefined(code) ? code.ToString() : "Unknown";
        // Busy/Acknowledge/gateway faults clear by themselves; address/function/value errors never do.
        var transient = code is ModbusExceptionCode.ServerDeviceBusy or ModbusExceptionCode.Acknowledge
            or ModbusExceptionCode.ServerDeviceFailure or ModbusExceptionCode.GatewayPathUnavailable
            or ModbusExceptionCode.GatewayTargetDeviceFailedToRespond;
        return new ModbusException(string.Empty, ModbusErrorKind.DeviceException, $"exception {(byte)code} {name}", transient)
        {
            ExceptionCode = code,
            Function = function,
        };
    }
}
