using System.Text;
using BenchmarkDotNet.Attributes;

namespace EdgeAgent.Drivers.Serial.Benchmarks;

/// <summary>
/// The driver's hot path per frame: bytes as they come off the port (one frame with its terminator) → framer →
/// profile → unit conversion → one sample per tag. Goal: ≤ 200 ns and 0 B per frame for the built-in profiles.
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    private GaugeDecoder _decoder = null!;
    private byte[] _frame = null!;

    [Params("mitutoyo", "mt-sics", "sartorius", "generic", "regex")]
    public string Profile { get; set; } = "mt-sics";

    [GlobalSetup]
    public void Setup()
    {
        var (kind, text, unit, gaugeUnit) = Profile switch
        {
            "mitutoyo" => (ProfileKind.Mitutoyo, "01A+00012.345\r", GaugeUnit.Micrometre, GaugeUnit.Millimetre),
            "sartorius" => (ProfileKind.Sartorius, "+  1255.7 g  \r\n", GaugeUnit.Kilogram, GaugeUnit.None),
            "generic" => (ProfileKind.Generic, "T= 4.20 N·m\r\n", GaugeUnit.PoundForceInch, GaugeUnit.None),
            "regex" => (ProfileKind.Regex, "ST,GS,  12.5 kg\r\n", GaugeUnit.Gram, GaugeUnit.None),
            _ => (ProfileKind.MtSics, "S S      12.345 g\r\n", GaugeUnit.Gram, GaugeUnit.None),
        };
        var options = new SerialSourceOptions
        {
            Line = new SerialPortOptions { Port = "/dev/null" },
            Profile = kind,
            Pattern = kind == ProfileKind.Regex ? @"^(?<status>ST|US),GS,\s*(?<value>[-+]?[0-9.]+)\s*(?<unit>\S+)$" : null,
            GaugeUnit = gaugeUnit,
        };
        _decoder = new GaugeDecoder(options, [new TagBinding(0, "value", new SerialTagOptions(SerialTagValue.Reading, unit))]);
        _frame = Encoding.UTF8.GetBytes(text);
    }

    [Benchmark]
    public double FrameToSample()
    {
        ReadOnlySpan<byte> input = _frame;
        var value = 0.0;
        while (_decoder.Next(ref input, 638_000_000_000_000_000, out var samples) != DecodeResult.NeedMore)
        {
            value += samples.IsEmpty ? 0 : samples[0].Value;
        }

        return value;
    }
}
