using System.IO.Ports;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAgent.Drivers.Serial;

/// <summary>
/// A serial gauge as an EdgeAgent source: opens the port, cuts frames, parses them with the profile, converts each
/// reading to every tag's unit and writes one sample per tag per reading. In poll mode it sends the request every poll
/// and a missing answer is Bad; in stream mode an optional timeout bounds the silence. A port that fails (adapter
/// unplugged) makes the tags Bad and the source down, and is reopened with backoff. Dropped and malformed frames are
/// counted and logged once per change of state (bad → good again), never per frame.
/// </summary>
public sealed partial class SerialSource : ISource
{
    private readonly SerialSourceOptions _options;
    private readonly IReadOnlyList<TagBinding> _tags;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly GaugeDecoder _decoder;
    private readonly Sample[] _bad;
    private readonly bool _hasPartTags;
    private readonly byte[] _request;
    private readonly SemaphoreSlim _answer = new(0);
    private long _readings;
    private FrameState _frames;
    private ReadingStatus _lastStatus;
    private volatile bool _waiting;
    private bool _down;

    public SerialSource(string name, SerialSourceOptions options, IReadOnlyList<TagBinding> tags, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tags);
        if (options.Mode == SerialMode.Poll && (options.Request ?? SerialSourceOptions.DefaultRequest(options.Profile)) is null)
        {
            throw new ArgumentException($"poll mode needs a request for profile {options.Profile}", nameof(options));
        }

        Name = name;
        _options = options;
        _tags = tags;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _decoder = new GaugeDecoder(options, tags);
        _bad = tags.Select(t => Sample.Bad(t.Id, 0)).ToArray();
        _hasPartTags = tags.Any(t => t.Options is SerialTagOptions { Value: SerialTagValue.Part });
        _request = options.Request ?? SerialSourceOptions.DefaultRequest(options.Profile) ?? [];
    }

    public string Name { get; }

    /// <summary>Readings written (every frame the profile understood).</summary>
    public long Readings => Interlocked.Read(ref _readings);

    /// <summary>Frames dropped by the framer (too long, broken, garbage).</summary>
    public long Dropped => _decoder.Framer.Dropped;

    /// <summary>Frames the profile did not understand.</summary>
    public long Malformed => _decoder.Malformed;

    public async Task RunAsync(ISampleWriter writer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var values = writer as ITagValues;
        var partId = -1;
        if (_options.Part is { } part && _hasPartTags)
        {
            partId = values?.IdOf(part) ?? -1;
            if (partId < 0)
            {
                LogNoPartTag(_logger, Name, part);
            }
        }

        var backoff = _options.Backoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            SerialPort port;
            try
            {
                port = SerialLine.Open(_options.Line, _options.AnswerTimeout);
            }
            catch (SourceException e)
            {
                Down(writer, e.Message);
                if (!await WaitAsync(backoff, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                continue;
            }

            backoff = _options.Backoff;
            _down = false;
            _decoder.Reset();
            writer.SetState(SourceState.Up);
            LogOpened(_logger, Name, _options.Line.Port, _options.Line.Baud, _decoder.Profile.Name, _options.Mode);
            try
            {
                await PumpAsync(port, writer, values, partId, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or TimeoutException or ObjectDisposedException)
            {
                Down(writer, $"serial port {_options.Line.Port} failed: {e.Message}");
            }
            finally
            {
                port.Dispose();
            }

            if (!await WaitAsync(backoff, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    public async ValueTask<Sample[]> ReadOnceAsync(CancellationToken cancellationToken)
    {
        using var port = SerialLine.Open(_options.Line, _options.AnswerTimeout);
        var stream = port.BaseStream;
        var decoder = new GaugeDecoder(_options, _tags);
        var buffer = new byte[1024];
        using var resend = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? poller = null;
        if (_options.Mode == SerialMode.Poll)
        {
            // Ask, and ask again every poll until an answer comes (the caller's token bounds the wait).
            poller = Task.Run(
                async () =>
                {
                    using var timer = new PeriodicTimer(_options.Poll, _time);
                    do
                    {
                        await stream.WriteAsync(_request, resend.Token).ConfigureAwait(false);
                    }
                    while (await timer.WaitForNextTickAsync(resend.Token).ConfigureAwait(false));
                },
                resend.Token);
        }

        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new SourceException(_options.Line.Port, $"serial port {_options.Line.Port} closed", isTransient: true);
                }

                if (First(decoder, buffer.AsSpan(0, n)) is { } samples)
                {
                    return samples;
                }
            }
        }
        catch (IOException e)
        {
            throw new SourceException(_options.Line.Port, $"serial port {_options.Line.Port} failed: {e.Message}", isTransient: true, e);
        }
        finally
        {
            await resend.CancelAsync().ConfigureAwait(false);
            if (poller is not null)
            {
                try
                {
                    await poller.ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or TimeoutException)
                {
                }
            }
        }
    }

    /// <summary>The samples of the first reading in <paramref name="data"/>; malformed and dropped frames are skipped.</summary>
    private Sample[]? First(GaugeDecoder decoder, ReadOnlySpan<byte> data)
    {
        while (true)
        {
            var result = decoder.Next(ref data, Now(), out var samples);
            switch (result)
            {
                case DecodeResult.NeedMore:
                    return null;
                case DecodeResult.Reading:
                    decoder.Stamp(default, Now());
                    return samples.ToArray();
                case DecodeResult.Malformed:
                    LogMalformed(_logger, Name, _decoder.Profile.Name, Shown(decoder.LastFrame));
                    break;
            }
        }
    }

    private async Task PumpAsync(SerialPort port, ISampleWriter writer, ITagValues? values, int partId, CancellationToken cancellationToken)
    {
        var stream = port.BaseStream;
        using var side = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? watcher = _options.Mode switch
        {
            SerialMode.Poll => Task.Run(() => PollAsync(stream, writer, side.Token), side.Token),
            SerialMode.Stream when _options.Timeout is { } silence => Task.Run(() => WatchAsync(writer, silence, side.Token), side.Token),
            _ => null,
        };
        var buffer = new byte[1024];
        using var input = TtyInput.Open(_options.Line.Port, port.PortName);
        try
        {
            if (input is not null)
            {
                await Task.Factory.StartNew(() => Receive(input, buffer, writer, values, partId, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            }
            else
            {
                while (true)
                {
                    var n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new IOException("the port closed (device gone?)");
                    }

                    Process(buffer.AsSpan(0, n), writer, values, partId);
                }
            }
        }
        finally
        {
            await side.CancelAsync().ConfigureAwait(false);
            if (watcher is not null)
            {
                try
                {
                    await watcher.ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or TimeoutException or ObjectDisposedException)
                {
                }
            }
        }
    }

    /// <summary>The receive loop on its own thread (Linux): returns only by an exception (port gone, cancelled).</summary>
    private void Receive(TtyInput input, byte[] buffer, ISampleWriter writer, ITagValues? values, int partId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var n = input.Read(buffer, cancellationToken);
            Process(buffer.AsSpan(0, n), writer, values, partId);
        }
    }

    /// <summary>The hot path: every complete frame in <paramref name="data"/> becomes one batch of samples.</summary>
    private void Process(ReadOnlySpan<byte> data, ISampleWriter writer, ITagValues? values, int partId)
    {
        var now = Now();
        while (true)
        {
            switch (_decoder.Next(ref data, now, out var samples))
            {
                case DecodeResult.NeedMore:
                    return;
                case DecodeResult.Dropped:
                    if (_frames != FrameState.Dropping)
                    {
                        _frames = FrameState.Dropping;
                        LogDropping(_logger, Name, _options.Line.Port, Describe(_decoder.Framer.LastDrop));
                    }

                    continue;
                case DecodeResult.Malformed:
                    if (_frames != FrameState.Malformed)
                    {
                        _frames = FrameState.Malformed;
                        LogMalformed(_logger, Name, _decoder.Profile.Name, Shown(_decoder.LastFrame));
                    }

                    continue;
            }

            if (_hasPartTags)
            {
                _decoder.Stamp(partId >= 0 ? values!.Latest(partId) : default, now);
            }

            if (_frames != FrameState.Good)
            {
                _frames = FrameState.Good;
                LogResynced(_logger, Name, _decoder.Framer.Dropped, _decoder.Malformed);
            }

            if (_decoder.LastStatus != _lastStatus)
            {
                _lastStatus = _decoder.LastStatus;
                if (_lastStatus == ReadingStatus.Stable)
                {
                    LogReadingGood(_logger, Name);
                }
                else
                {
                    LogReadingBad(_logger, Name, Explain(_lastStatus), Shown(_decoder.LastFrame));
                }
            }

            writer.TryWrite(samples);
            Interlocked.Increment(ref _readings);
            if (_waiting || _down)
            {
                _waiting = false;
                _down = false;
                writer.SetState(SourceState.Up);
            }

            _answer.Release();
        }
    }

    /// <summary>Poll mode: the request every poll; no answer within the timeout is Bad and the source down (until the next answer).</summary>
    private async Task PollAsync(Stream stream, ISampleWriter writer, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Poll, _time);
        var timeout = _options.AnswerTimeout;
        do
        {
            while (_answer.CurrentCount > 0)
            {
                await _answer.WaitAsync(0, cancellationToken).ConfigureAwait(false);
            }

            await stream.WriteAsync(_request, cancellationToken).ConfigureAwait(false);
            if (!await _answer.WaitAsync(timeout, cancellationToken).ConfigureAwait(false) && !_waiting)
            {
                _waiting = true;
                writer.TryWrite(Bad());
                writer.SetState(SourceState.Down, $"no answer to {Shown(_request)} within {timeout.TotalMilliseconds:0} ms on {_options.Line.Port}");
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stream mode with a timeout: silence longer than it is Bad and the source down (until the next frame).</summary>
    private async Task WatchAsync(ISampleWriter writer, TimeSpan silence, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(silence, _time);
        var seen = Readings;
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var now = Readings;
            if (now == seen && !_waiting)
            {
                _waiting = true;
                writer.TryWrite(Bad());
                writer.SetState(SourceState.Down, $"no frame for {silence.TotalMilliseconds:0} ms on {_options.Line.Port}");
            }

            seen = now;
        }
    }

    private void Down(ISampleWriter writer, string reason)
    {
        if (!_down)
        {
            _down = true;
            writer.TryWrite(Bad());
        }

        writer.SetState(SourceState.Down, reason);
    }

    private Sample[] Bad()
    {
        var now = Now();
        for (var i = 0; i < _bad.Length; i++)
        {
            _bad[i] = Sample.Bad(_tags[i].Id, now);
        }

        return _bad;
    }

    private long Now() => _time.GetUtcNow().UtcTicks;

    private async Task<bool> WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The status as the log says it, naming the unit when the unit is the problem.</summary>
    private string Explain(ReadingStatus status)
    {
        var text = GaugeReading.Describe(status);
        var reading = _decoder.LastReading;
        return status switch
        {
            ReadingStatus.UnknownUnit => $"{text}: '{UnitText(_decoder.LastFrame)}' (known: {GaugeUnits.Known})",
            ReadingStatus.UnitMismatch => $"{text}: the gauge sent {GaugeUnits.Name(reading.Unit == GaugeUnit.None ? _options.GaugeUnit : reading.Unit)}, a tag wants {TagUnits()}",
            _ => text,
        };
    }

    private string TagUnits() => string.Join(", ", _tags.Select(t => t.Options is SerialTagOptions { Unit: { } u } ? GaugeUnits.Name(u) : null).Where(u => u is not null).Distinct());

    /// <summary>The last token of a frame that is not a number: where every built-in profile puts the unit.</summary>
    internal static string UnitText(ReadOnlySpan<byte> frame)
    {
        var text = frame.Trim((byte)' ');
        var space = text.LastIndexOf((byte)' ');
        return Encoding.Latin1.GetString(space < 0 ? text : text[(space + 1)..]);
    }

    /// <summary>Bytes as a log shows them: printable ASCII as is, the rest as \r, \n, \xNN.</summary>
    public static string Shown(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length + 8);
        foreach (var b in bytes[..Math.Min(bytes.Length, 80)])
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                (byte)'\\' => "\\\\",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => $"\\x{b:X2}",
            });
        }

        return bytes.Length > 80 ? text.Append("…").ToString() : text.ToString();
    }

    private static string Describe(FrameDrop drop) => drop switch
    {
        FrameDrop.TooLong => "a frame longer than maxLength",
        FrameDrop.Broken => "a broken frame (terminator or ETX missing)",
        FrameDrop.Garbage => "bytes outside STX … ETX",
        _ => "a bad frame",
    };

    public ValueTask DisposeAsync()
    {
        _answer.Dispose();
        return ValueTask.CompletedTask;
    }

    private enum FrameState : byte
    {
        Good = 0,
        Dropping,
        Malformed,
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Source {Source}: opened {Port} at {Baud} baud, profile {Profile}, mode {Mode}")]
    private static partial void LogOpened(ILogger logger, string source, string port, int baud, string profile, SerialMode mode);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Source {Source}: dropping frames on {Port}: {Reason}; resyncing")]
    private static partial void LogDropping(ILogger logger, string source, string port, string reason);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Source {Source}: frames not understood by profile {Profile}, skipped: '{Frame}'")]
    private static partial void LogMalformed(ILogger logger, string source, string profile, string frame);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "Source {Source}: frames good again ({Dropped} dropped, {Malformed} not understood so far)")]
    private static partial void LogResynced(ILogger logger, string source, long dropped, long malformed);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Source {Source}: readings Bad: {Reason}; frame '{Frame}'")]
    private static partial void LogReadingBad(ILogger logger, string source, string reason, string frame);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "Source {Source}: readings good again")]
    private static partial void LogReadingGood(ILogger logger, string source);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Error, Message = "Source {Source}: part: no tag '{Part}' in this agent; part stamps stay Bad")]
    private static partial void LogNoPartTag(ILogger logger, string source, string part);
}
