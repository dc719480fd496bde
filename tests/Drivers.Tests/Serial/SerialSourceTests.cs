using System.Text;

namespace EdgeAgent.Drivers.Serial.Tests;

/// <summary>The source against a real pty pair: the test writes what a gauge writes, the driver reads the other end.</summary>
public class SerialSourceTests
{
    private static SerialSourceOptions Options(PtyPair pty, ProfileKind profile, SerialMode mode = SerialMode.Stream) => new()
    {
        Line = new SerialPortOptions { Port = pty.Driver, Baud = 115200 },
        Profile = profile,
        Mode = mode,
        Poll = TimeSpan.FromMilliseconds(100),
        Backoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
    };

    private static TagBinding Reading(int id, GaugeUnit? unit = null) => new(id, $"t{id}", new SerialTagOptions(SerialTagValue.Reading, unit));

    private sealed class Running : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;

        public Running(SerialSource source, RecordingWriter writer)
        {
            Source = source;
            Writer = writer;
            _task = Task.Run(() => source.RunAsync(writer, _stop.Token));
        }

        public SerialSource Source { get; }

        public RecordingWriter Writer { get; }

        public Task UpAsync() => Deadline.UntilAsync(() => Writer.States.Any(s => s.State == SourceState.Up), "the source opens the port");

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Deadline.Within(_task, "the source stops when cancelled");
            await Source.DisposeAsync();
        }
    }

    [Fact]
    public async Task Opens_the_port_through_its_symlink_and_streams_mt_sics_readings_with_their_quality()
    {
        await using var pty = await PtyPair.StartAsync();
        Assert.NotNull(new FileInfo(pty.Driver).LinkTarget);
        await using var run = new Running(new SerialSource("bal", Options(pty, ProfileKind.MtSics), [Reading(0)]), new RecordingWriter());
        await run.UpAsync();
        pty.Send("S S      12.345 g\r\nS D      12.346 g\r\nS +\r\n");
        await Deadline.UntilAsync(() => run.Writer.Samples.Count >= 3, "three readings arrive");
        var samples = run.Writer.Samples;
        Assert.Equal((12.345, Quality.Good), (samples[0].Value, samples[0].Quality));
        Assert.Equal((12.346, Quality.Uncertain), (samples[1].Value, samples[1].Quality));
        Assert.Equal(Quality.Bad, samples[2].Quality);
    }

    [Theory]
    [InlineData(ProfileKind.Mitutoyo, "01A+00012.345\r", 12.345)]
    [InlineData(ProfileKind.Sartorius, "+  1255.7 g  \r\n", 1255.7)]
    [InlineData(ProfileKind.Generic, "T= 4.20 Nm\r\n", 4.2)]
    public async Task Each_profile_reads_its_frames_from_the_line(ProfileKind profile, string frame, double value)
    {
        await using var pty = await PtyPair.StartAsync();
        await using var run = new Running(new SerialSource("g", Options(pty, profile), [Reading(0)]), new RecordingWriter());
        await run.UpAsync();
        pty.Send(frame);
        await Deadline.UntilAsync(() => run.Writer.Samples.Count >= 1, "the reading arrives");
        Assert.Equal(value, run.Writer.Samples[0].Value, 9);
    }

    [Fact]
    public async Task Converts_each_reading_to_each_tags_unit_and_names_a_mismatching_unit_in_the_log()
    {
        await using var pty = await PtyPair.StartAsync();
        var logger = new ListLogger();
        var source = new SerialSource("g", Options(pty, ProfileKind.Generic), [Reading(0, GaugeUnit.Millimetre), Reading(1, GaugeUnit.Micrometre)], logger);
        await using var run = new Running(source, new RecordingWriter());
        await run.UpAsync();
        pty.Send("0.5 in\r\n2 g\r\n1 in\r\n");
        await Deadline.UntilAsync(() => run.Writer.Samples.Count >= 6, "three readings for two tags arrive");
        var s = run.Writer.Samples;
        Assert.Equal((12.7, 12700.0), (s[0].Value, Math.Round(s[1].Value, 6)));
        Assert.Equal((Quality.Bad, Quality.Bad), (s[2].Quality, s[3].Quality));
        Assert.Equal(25.4, s[4].Value, 9);
        Assert.Contains(logger.Lines, l => l.Contains("the gauge sent g, a tag wants mm, µm", StringComparison.Ordinal));
        Assert.Single(logger.Lines, l => l.Contains("readings good again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_unit_is_bad_and_the_log_names_it()
    {
        await using var pty = await PtyPair.StartAsync();
        var logger = new ListLogger();
        await using var run = new Running(new SerialSource("g", Options(pty, ProfileKind.MtSics), [Reading(0, GaugeUnit.Gram)], logger), new RecordingWriter());
        await run.UpAsync();
        pty.Send("S S 5.00 ct\r\n");
        await Deadline.UntilAsync(() => run.Writer.Samples.Count >= 1, "the reading arrives");
        Assert.Equal(Quality.Bad, run.Writer.Samples[0].Quality);
        Assert.Contains(logger.Lines, l => l.Contains("the unit sent is not known: 'ct'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Garbage_partial_and_over_long_frames_are_dropped_counted_logged_once_and_the_stream_resyncs()
    {
        await using var pty = await PtyPair.StartAsync();
        var logger = new ListLogger();
        var options = Options(pty, ProfileKind.MtSics) with { Framing = new SerialFramingOptions { Terminator = "\r\n"u8.ToArray(), MaxLength = 32 } };
        await using var run = new Running(new SerialSource("g", options, [Reading(0)], logger), new RecordingWriter());
        await run.UpAsync();
        pty.Send("S S 1.0 g\r\n" + new string('#', 200) + "\r\n" + new string('x', 100) + "\r\nnoise\r\nS S 2.0 g\r\n");
        await Deadline.UntilAsync(() => run.Writer.Samples.Count >= 2, "the readings around the bad frames arrive");
        Assert.Equal([1.0, 2.0], run.Writer.Samples.Select(s => s.Value));
        Assert.Equal(2, run.Source.Dropped);
        Assert.Equal(1, run.Source.Malformed);
        Assert.Single(logger.Lines, l => l.Contains("dropping frames", StringComparison.Ordinal));
        Assert.Single(logger.Lines, l => l.Contains("not understood", StringComparison.Ordinal) && l.Contains("'noise'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stx_etx_and_fixed_framing_work_on_the_line()
    {
        await using var pty = await PtyPair.StartAsync();
        var options = Options(pty, ProfileKind.Generic) with { Framing = new SerialFramingOptions { Kind = FramingKind.StxEtx } };
        await using (var run = new Running(new SerialSource("g", options, [Reading(0)]), new RecordingWriter()))
        {
            await run.UpAsync();
            pty.Send("\u00021.5 mm\u0003\r\n\u00022.5 mm\u0003");
            await Deadline.UntilAsync(() => run.Writer.Samples.Count >= 2, "two STX/ETX frames arrive");
            Assert.Equal([1.5, 2.5], run.Writer.Samples.Select(s => s.Value));
        }

        var fixedOptions = Options(pty, ProfileKind.Sartorius) with { Framing = new SerialFramingOptions { Kind = FramingKind.Fixed, Length = 16, Terminator = "\r\n"u8.ToArray() } };
        await using (var run = new Running(new SerialSource("g", fixedOptions, [Reading(0)]), new RecordingWriter()))
        {
            await run.UpAsync();
            pty.Send("+     12.5 g  \r\n+     13.5 g  \r\n");
            await Deadline.UntilAsync(() => run.Writer.Samples.Count >= 2, "two fixed frames arrive");
            Assert.Equal([12.5, 13.5], run.Writer.Samples.Select(s => s.Value));
        }
    }

    /// <summary>A balance that answers SI only when asked: the test reads requests from the line and answers each.</summary>
    private static Task Emulate(PtyPair pty, Func<int, string?> answer, CancellationToken stop) => Task.Run(() =>
    {
        var stream = pty.Gauge.BaseStream;
        var line = new StringBuilder();
        var count = 0;
        var buffer = new byte[64];
        using var reg = stop.Register(() => pty.Gauge.Close());
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var n = stream.Read(buffer);
                foreach (var b in buffer.AsSpan(0, n))
                {
                    if (b == '\n')
                    {
                        if (line.ToString().TrimEnd('\r') == "SI" && answer(count++) is { } reply)
                        {
                            stream.Write(Encoding.ASCII.GetBytes(reply));
                        }

                        line.Clear();
                    }
                    else
                    {
                        line.Append((char)b);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
        }
    });

    [Fact]
    public async Task Poll_mode_sends_SI_every_poll_and_each_answer_is_a_reading()
    {
        await using var pty = await PtyPair.StartAsync();
        using var stop = new CancellationTokenSource();
        _ = pty.Gauge;
        var emulator = Emulate(pty, i => $"S S {10 + i}.000 g\r\n", stop.Token);
        await using (var run = new Running(new SerialSource("bal", Options(pty, ProfileKind.MtSics, SerialMode.Poll), [Reading(0, GaugeUnit.Kilogram)]), new RecordingWriter()))
        {
            await Deadline.UntilAsync(() => run.Writer.Samples.Count >= 3, "three polled answers");
            Assert.Equal([0.010, 0.011, 0.012], run.Writer.Samples.Take(3).Select(s => Math.Round(s.Value, 6)));
        }

        await stop.CancelAsync();
        await Deadline.Within(emulator, "the emulator stops");
    }

    [Fact]
    public async Task Poll_mode_against_a_silent_gauge_is_bad_and_down_without_hanging_and_up_when_it_answers_again()
    {
        await using var pty = await PtyPair.StartAsync();
        using var stop = new CancellationTokenSource();
        _ = pty.Gauge;
        var speak = false;
        var emulator = Emulate(pty, _ => Volatile.Read(ref speak) ? "S S 1.000 g\r\n" : null, stop.Token);
        var options = Options(pty, ProfileKind.MtSics, SerialMode.Poll) with { Timeout = TimeSpan.FromMilliseconds(100) };
        await using (var run = new Running(new SerialSource("bal", options, [Reading(0)]), new RecordingWriter()))
        {
            await Deadline.UntilAsync(() => run.Writer.States.Any(s => s.State == SourceState.Down), "the source is down for the missing answer");
            Assert.Contains("no answer to SI\\r\\n within 100 ms", run.Writer.States.Last(s => s.State == SourceState.Down).Reason);
            Assert.Equal(Quality.Bad, run.Writer.Samples[0].Quality);
            Volatile.Write(ref speak, true);
            await Deadline.UntilAsync(() => run.Writer.Samples.Any(s => s.Quality == Quality.Good) && run.Writer.States[^1].State == SourceState.Up, "the source is up with the first answer");
        }

        await stop.CancelAsync();
        await Deadline.Within(emulator, "the emulator stops");
    }

    [Fact]
    public async Task On_demand_readings_are_stamped_with_the_part_tags_value_at_that_moment()
    {
        await using var pty = await PtyPair.StartAsync();
        var writer = new RecordingWriter();
        writer.Others["line.serial"] = new Sample(7, double.NaN, Quality.Good, 1, 1) { Text = "P-0001" };
        var options = Options(pty, ProfileKind.Mitutoyo, SerialMode.OnDemand) with { Part = "line.serial", GaugeUnit = GaugeUnit.Millimetre };
        var tags = new[] { Reading(0, GaugeUnit.Millimetre), new TagBinding(1, "part", new SerialTagOptions(SerialTagValue.Part)) };
        await using var run = new Running(new SerialSource("cal", options, tags), writer);
        await run.UpAsync();
        pty.Send("01A+00010.002\r");
        await Deadline.UntilAsync(() => writer.Samples.Count >= 2, "the first reading and its stamp");
        lock (writer.Others)
        {
            writer.Others["line.serial"] = new Sample(7, double.NaN, Quality.Good, 2, 2) { Text = "P-0002" };
        }

        pty.Send("01A+00010.004\r");
        await Deadline.UntilAsync(() => writer.Samples.Count >= 4, "the second reading and its stamp");
        var s = writer.Samples;
        Assert.Equal((0, 10.002), (s[0].TagId, s[0].Value));
        Assert.Equal((1, "P-0001", s[0].SourceTicks), (s[1].TagId, s[1].Text, s[1].SourceTicks));
        Assert.Equal((1, "P-0002"), (s[3].TagId, s[3].Text));
    }

    [Fact]
    public async Task Read_once_on_a_stream_waits_for_the_next_reading_and_skips_malformed_frames()
    {
        await using var pty = await PtyPair.StartAsync();
        await using var source = new SerialSource("bal", Options(pty, ProfileKind.MtSics), [Reading(0)]);
        var read = source.ReadOnceAsync(CancellationToken.None).AsTask();
        // The port is opened by the read: write until the reading is seen (bytes before the open are flushed).
        while (!read.IsCompleted)
        {
            pty.Send("garbage\r\nS S 3.210 g\r\n");
            await Task.WhenAny(read, Task.Delay(50));
        }

        var samples = await Deadline.Within(read, "read once returns");
        Assert.Equal((3.21, Quality.Good), (samples[0].Value, samples[0].Quality));
    }

    [Fact]
    public async Task A_vanishing_port_makes_the_tags_bad_and_the_source_down_then_it_reopens_when_the_port_returns()
    {
        var pty = await PtyPair.StartAsync();
        var writer = new RecordingWriter();
        var logger = new ListLogger();
        await using var run = new Running(new SerialSource("g", Options(pty, ProfileKind.Generic), [Reading(0)], logger), writer);
        await run.UpAsync();
        pty.Send("1.0 mm\r\n");
        await Deadline.UntilAsync(() => writer.Samples.Count >= 1, "the first reading");
        await pty.DisposeAsync();
        await Deadline.UntilAsync(() => writer.States.Any(s => s.State == SourceState.Down), "the source is down once the port vanished");
        Assert.Equal(Quality.Bad, writer.Samples[^1].Quality);
        var ups = writer.States.Count(s => s.State == SourceState.Up);
        await using var back = await PtyPair.StartAsync(pty.Folder);
        await Deadline.UntilAsync(() => writer.States.Count(s => s.State == SourceState.Up) > ups, "the source reopens the returned port");
        back.Send("2.0 mm\r\n");
        await Deadline.UntilAsync(() => writer.Samples.Any(s => s.Value == 2.0), "a reading after the reopen");
    }

    [Fact]
    public async Task Ten_thousand_frames_back_to_back_at_115200_baud_all_arrive_in_order()
    {
        await using var pty = await PtyPair.StartAsync();
        await using var run = new Running(new SerialSource("g", Options(pty, ProfileKind.MtSics), [Reading(0)]), new RecordingWriter());
        await run.UpAsync();
        var text = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"S S {i,10}.0 g\r\n");
        }

        pty.Send(text.ToString());
        await Deadline.UntilAsync(() => run.Writer.Samples.Count >= 10_000, "10,000 readings", TimeSpan.FromSeconds(60));
        var values = run.Writer.Samples.Select(s => s.Value).ToList();
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => (double)i), values);
        Assert.Equal(0, run.Source.Dropped + run.Source.Malformed);
    }
}
