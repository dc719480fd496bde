namespace EdgeAgent.Drivers.Serial;

/// <summary>Why a reading is not Good; each maps to one fixed message (<see cref="GaugeReading.Describe"/>), so a reading allocates nothing.</summary>
public enum ReadingStatus : byte
{
    Stable = 0,
    Dynamic,
    Overload,
    Underload,
    NotExecutable,
    SyntaxError,
    TransmissionError,
    LogicalError,
    DeviceError,
    Adjusting,
    UnknownUnit,
    UnitMismatch,
    NoUnit,
    NoAnswer,
    Silent,
    PortDown,
    NoPart,
}

/// <summary>
/// One parsed frame: the number as the gauge sent it, the unit it named (<see cref="GaugeUnit.None"/> when the frame
/// carries none), its quality and the reason when not Good. A value type: parsing a frame allocates nothing.
/// </summary>
public readonly record struct GaugeReading(double Value, GaugeUnit Unit, Quality Quality, ReadingStatus Status)
{
    public static GaugeReading Good(double value, GaugeUnit unit) => new(value, unit, Quality.Good, ReadingStatus.Stable);

    public static GaugeReading Uncertain(double value, GaugeUnit unit, ReadingStatus status) => new(value, unit, Quality.Uncertain, status);

    public static GaugeReading Bad(ReadingStatus status) => new(double.NaN, GaugeUnit.None, Quality.Bad, status);

    /// <summary>The operator's words for a status.</summary>
    public static string Describe(ReadingStatus status) => status switch
    {
        ReadingStatus.Stable => "stable",
        ReadingStatus.Dynamic => "dynamic (not yet stable)",
        ReadingStatus.Overload => "overload (above the range)",
        ReadingStatus.Underload => "underload (below the range)",
        ReadingStatus.NotExecutable => "command not executable (busy, or no stable value in time)",
        ReadingStatus.SyntaxError => "the device did not understand the command (syntax error)",
        ReadingStatus.TransmissionError => "the device reports a transmission error (parity, framing, overflow)",
        ReadingStatus.LogicalError => "the device cannot execute the command (logical error)",
        ReadingStatus.DeviceError => "the device reports an error",
        ReadingStatus.Adjusting => "the device is adjusting (calibration)",
        ReadingStatus.UnknownUnit => "the unit sent is not known",
        ReadingStatus.UnitMismatch => "the unit sent does not convert to the tag's unit",
        ReadingStatus.NoUnit => "the frame carries no unit and none is configured (gaugeUnit)",
        ReadingStatus.NoAnswer => "no answer to the request in time",
        ReadingStatus.Silent => "no frame in time",
        ReadingStatus.PortDown => "the serial port is not open",
        ReadingStatus.NoPart => "no current part",
        _ => status.ToString(),
    };
}
