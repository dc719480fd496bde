using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EdgeAgent.Drivers.Serial;

/// <summary>What <see cref="SerialProbe"/> saw on the line.</summary>
public sealed record SerialProbeResult(string Port, double Seconds, long Bytes, long Frames, long Readings, long Malformed, long Dropped, string? LastFrame, GaugeReading? LastReading)
{
    public double FramesPerSecond => Seconds > 0 ? Frames / Seconds : 0;

    /// <summary>One JSON line: port, seconds, bytes, frames, framesPerSecond, readings, malformed, dropped, lastFrame, value, unit, quality, status.</summary>
    public string Json
    {
        get
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("port", Port);
                json.WriteNumber("seconds", Math.Round(Seconds, 3));
                json.WriteNumber("bytes", Bytes);
                json.WriteNumber("frames", Frames);
                json.WriteNumber("framesPerSecond", Math.Round(FramesPerSecond, 2));
                json.WriteNumber("readings", Readings);
                json.WriteNumber("malformed", Malformed);
                json.WriteNumber("dropped", Dropped);
                if (LastFrame is not null)
                {
                    json.WriteString("lastFrame", LastFrame);
                }

                if (LastReading is { } reading)
                {
                    if (double.IsFinite(reading.Value))
                    {
                        json.WriteNumber("value", reading.Value);
                    }

                    json.WriteString("unit", GaugeUnits.Name(reading.Unit));
                    json.WriteString("quality", reading.Quality.ToString());
                    json.WriteString("status", GaugeReading.Describe(reading.Status));
                }

                json.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }
    }
}

/// <summary>
/// Commissioning: opens the port and counts what arrives for a while (frames, readings, frames the profile does not
/// understand, frames dropped by the framer), sending the request every poll in poll mode. Does not write samples.
/// </summary>
public static class SerialProbe
{
    public static async Task<SerialProbeResult> RunAsync(SerialSourceOptions options, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var port = SerialLine.Open(options.Line, options.AnswerTimeout);
        var stream = port.BaseStream;
        var decoder = new GaugeDecoder(options, [new TagBinding(0, "probe", new SerialTagOptions())]);
        var request = options.Request ?? SerialSourceOptions.DefaultRequest(options.Profile);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var started = Stopwatch.GetTimestamp();
        Task poller = Task.CompletedTask;
        if (options.Mode == SerialMode.Poll && request is not null)
        {
            poller = Task.Run(
                async () =>
                {
                    using var timer = new PeriodicTimer(options.Poll);
                    do
                    {
                        await stream.WriteAsync(request, stop.Token).ConfigureAwait(false);
                    }
                    while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false));
                },
                stop.Token);
        }

        long bytes = 0, frames = 0, readings = 0;
        string? last = null;
        GaugeReading? reading = null;
        var buffer = new byte[1024];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                bytes += n;
                var data = (ReadOnlyMemory<byte>)buffer.AsMemory(0, n);
                Count(decoder, data.Span, ref frames, ref readings, ref last, ref reading);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        try
        {
            await poller.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new SerialProbeResult(options.Line.Port, seconds, bytes, frames, readings, decoder.Malformed, decoder.Framer.Dropped, last, reading);
    }

    private static void Count(GaugeDecoder decoder, ReadOnlySpan<byte> data, ref long frames, ref long readings, ref string? last, ref GaugeReading? reading)
    {
        while (true)
        {
            var result = decoder.Next(ref data, DateTime.UtcNow.Ticks, out _);
            if (result == DecodeResult.NeedMore)
            {
                return;
            }

            if (result is DecodeResult.Reading or DecodeResult.Malformed)
            {
                frames++;
                last = SerialSource.Shown(decoder.LastFrame);
            }

            if (result == DecodeResult.Reading)
            {
                readings++;
                reading = decoder.LastReading;
            }
        }
    }

    internal static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
