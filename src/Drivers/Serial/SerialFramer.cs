namespace EdgeAgent.Drivers.Serial;

/// <summary>How bytes on the line are cut into frames.</summary>
public enum FramingKind : byte
{
    /// <summary>A frame ends with a terminator (CR, LF, CRLF or custom bytes); by default CR or LF, empty lines skipped.</summary>
    Line = 0,

    /// <summary>Every frame has the same length; with a terminator, a frame that does not end with it is broken and the stream resyncs on the terminator.</summary>
    Fixed,

    /// <summary><c>STX data ETX</c> (0x02 … 0x03); bytes between frames other than CR, LF and space are garbage.</summary>
    StxEtx,
}

/// <summary>Framing of a serial gauge. <see cref="Terminator"/> null (line framing): CR or LF, whichever comes.</summary>
public sealed record SerialFramingOptions
{
    public const int DefaultMaxLength = 128;

    /// <summary>The limit no configuration can exceed (the framer's buffer).</summary>
    public const int MaxMaxLength = 4096;

    public FramingKind Kind { get; init; } = FramingKind.Line;

    /// <summary>The bytes that end a frame; null = CR or LF (line framing). Checked after a fixed-length frame when given.</summary>
    public byte[]? Terminator { get; init; }

    /// <summary>Fixed framing: bytes per frame, terminator included.</summary>
    public int Length { get; init; }

    /// <summary>Longest frame kept (terminator excluded); a longer one is dropped and the stream resyncs.</summary>
    public int MaxLength { get; init; } = DefaultMaxLength;
}

/// <summary>What <see cref="SerialFramer.Next"/> found.</summary>
public enum FrameResult : byte
{
    /// <summary>The input is used up and no frame completed.</summary>
    NeedMore = 0,

    /// <summary>A frame is ready (valid until the next call).</summary>
    Frame,

    /// <summary>A frame was dropped (<see cref="SerialFramer.LastDrop"/> says why); reading resyncs and continues.</summary>
    Dropped,
}

/// <summary>Why a frame was dropped.</summary>
public enum FrameDrop : byte
{
    None = 0,

    /// <summary>Longer than the maximum frame length: bytes are skipped up to the next frame boundary.</summary>
    TooLong,

    /// <summary>Fixed length without its terminator, or an STX inside an STX/ETX frame.</summary>
    Broken,

    /// <summary>Bytes outside STX … ETX.</summary>
    Garbage,
}

/// <summary>
/// Cuts a byte stream into frames: fed chunks as they arrive, it returns one event per call, so the caller needs no
/// queue and nothing is allocated per frame (the frame is a view of the framer's own buffer, valid until the next call).
/// An over-long or broken frame is dropped (counted in <see cref="Dropped"/>) and the framer resyncs at the next
/// boundary: the next terminator, or the next STX.
/// <code>
///  line:    d a t a CR LF          (terminator null: CR or LF ends a line; empty lines are skipped)
///  fixed:   d a t a . . . CR LF    (Length bytes; with a terminator the frame must end with it)
///  stx-etx: STX d a t a ETX        (0x02 … 0x03)
/// </code>
/// </summary>
public sealed class SerialFramer
{
    public const byte Stx = 0x02;
    public const byte Etx = 0x03;

    private readonly FramingKind _kind;
    private readonly byte[]? _terminator;
    private readonly int _max;
    private readonly int _length;
    private readonly byte[] _buffer;
    private int _count;
    private bool _discarding;
    private bool _inside;
    private bool _garbage;

    public SerialFramer(SerialFramingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxLength is < 1 or > SerialFramingOptions.MaxMaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxLength, $"maxLength must be in [1-{SerialFramingOptions.MaxMaxLength}]");
        }

        if (options.Kind == FramingKind.Fixed && options.Length is < 1 or > SerialFramingOptions.MaxMaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Length, $"length must be in [1-{SerialFramingOptions.MaxMaxLength}]");
        }

        if (options.Terminator is { Length: 0 })
        {
            throw new ArgumentException("terminator must not be empty", nameof(options));
        }

        _kind = options.Kind;
        _terminator = options.Terminator;
        _max = options.MaxLength;
        _length = options.Length;
        _buffer = new byte[Math.Max(_max, _length) + (_terminator?.Length ?? 0) + 1];
    }

    /// <summary>Frames dropped since creation (too long, broken, garbage).</summary>
    public long Dropped { get; private set; }

    /// <summary>Why the last <see cref="FrameResult.Dropped"/> was returned.</summary>
    public FrameDrop LastDrop { get; private set; }

    /// <summary>Bytes held for the frame in progress (for tests and probes).</summary>
    public int Pending => _count;

    /// <summary>Forgets the frame in progress (after a reopen: the bytes before it are lost anyway).</summary>
    public void Reset()
    {
        _count = 0;
        _discarding = false;
        _inside = false;
        _garbage = false;
    }

    /// <summary>
    /// Consumes bytes from <paramref name="input"/> until a frame completes or one is dropped; <paramref name="input"/> is
    /// advanced past what was used. Call again with the rest until <see cref="FrameResult.NeedMore"/>.
    /// </summary>
    public FrameResult Next(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> frame)
    {
        frame = default;
        return _kind switch
        {
            FramingKind.Line => _terminator is null ? NextAnyLine(ref input, out frame) : NextLine(ref input, out frame),
            FramingKind.Fixed => NextFixed(ref input, out frame),
            _ => NextStxEtx(ref input, out frame),
        };
    }

    /// <summary>CR or LF ends a line; CRLF is one end (the empty line between is skipped).</summary>
    private FrameResult NextAnyLine(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> frame)
    {
        frame = default;
        while (!input.IsEmpty)
        {
            var b = input[0];
            input = input[1..];
            if (b is (byte)'\r' or (byte)'\n')
            {
                if (_discarding)
                {
                    _discarding = false;
                    _count = 0;
                    continue;
                }

                if (_count == 0)
                {
                    continue;
                }

                frame = _buffer.AsSpan(0, _count);
                _count = 0;
                return FrameResult.Frame;
            }

            if (_discarding)
            {
                continue;
            }

            if (_count == _max)
            {
                return DropTooLong();
            }

            _buffer[_count++] = b;
        }

        return FrameResult.NeedMore;
    }

    /// <summary>An explicit terminator of one or more bytes; it may arrive split over two chunks.</summary>
    private FrameResult NextLine(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> frame)
    {
        frame = default;
        var t = _terminator!;
        while (!input.IsEmpty)
        {
            _buffer[_count++] = input[0];
            input = input[1..];
            if (_count >= t.Length && _buffer.AsSpan(_count - t.Length, t.Length).SequenceEqual(t))
            {
                var length = _count - t.Length;
                _count = 0;
                if (_discarding)
                {
                    _discarding = false;
                    continue;
                }

                if (length == 0)
                {
                    continue;
                }

                frame = _buffer.AsSpan(0, length);
                return FrameResult.Frame;
            }

            if (_count == _max + t.Length)
            {
                // Keep the last t.Length - 1 bytes: they may be the start of the terminator.
                KeepTail(t.Length - 1);
                if (!_discarding)
                {
                    _discarding = true;
                    return Drop(FrameDrop.TooLong);
                }
            }
        }

        return FrameResult.NeedMore;
    }

    private FrameResult NextFixed(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> frame)
    {
        frame = default;
        var t = _terminator;
        while (!input.IsEmpty)
        {
            if (_discarding)
            {
                // Resync: skip up to and including the next terminator.
                _buffer[_count++] = input[0];
                input = input[1..];
                if (_count >= t!.Length && _buffer.AsSpan(_count - t.Length, t.Length).SequenceEqual(t))
                {
                    _count = 0;
                    _discarding = false;
                }
                else if (_count == t.Length)
                {
                    KeepTail(t.Length - 1);
                }

                continue;
            }

            var take = Math.Min(_length - _count, input.Length);
            input[..take].CopyTo(_buffer.AsSpan(_count));
            _count += take;
            input = input[take..];
            if (_count < _length)
            {
                break;
            }

            _count = 0;
            var whole = _buffer.AsSpan(0, _length);
            if (t is null)
            {
                frame = whole;
                return FrameResult.Frame;
            }

            if (whole.EndsWith(t))
            {
                frame = whole[..^t.Length];
                return FrameResult.Frame;
            }

            // The terminator is not where it belongs: the frame is broken. If a terminator sits inside it, the next
            // frame starts right after that one; otherwise skip up to the next terminator.
            var inside = whole.LastIndexOf(t);
            if (inside >= 0)
            {
                var rest = whole[(inside + t.Length)..];
                rest.CopyTo(_buffer);
                _count = rest.Length;
            }
            else
            {
                KeepTailOf(whole, t.Length - 1);
                _discarding = true;
            }

            return Drop(FrameDrop.Broken);
        }

        return FrameResult.NeedMore;
    }

    private FrameResult NextStxEtx(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> frame)
    {
        frame = default;
        while (!input.IsEmpty)
        {
            var b = input[0];
            input = input[1..];
            if (!_inside)
            {
                if (b == Stx)
                {
                    _inside = true;
                    _discarding = false;
                    _count = 0;
                    if (_garbage)
                    {
                        _garbage = false;
                        return Drop(FrameDrop.Garbage);
                    }
                }
                else if (!_discarding && b is not ((byte)'\r' or (byte)'\n' or (byte)' ' or 0))
                {
                    _garbage = true;
                }
                else if (_discarding && b == Etx)
                {
                    _discarding = false;
                }

                continue;
            }

            if (b == Etx)
            {
                _inside = false;
                frame = _buffer.AsSpan(0, _count);
                _count = 0;
                return FrameResult.Frame;
            }

            if (b == Stx)
            {
                // A new frame starts before the last one ended: the last one is broken.
                _count = 0;
                return Drop(FrameDrop.Broken);
            }

            if (_count == _max)
            {
                _inside = false;
                _discarding = true;
                _count = 0;
                return Drop(FrameDrop.TooLong);
            }

            _buffer[_count++] = b;
        }

        return FrameResult.NeedMore;
    }

    private FrameResult DropTooLong()
    {
        _discarding = true;
        _count = 0;
        return Drop(FrameDrop.TooLong);
    }

    private FrameResult Drop(FrameDrop reason)
    {
        Dropped++;
        LastDrop = reason;
        return FrameResult.Dropped;
    }

    private void KeepTail(int keep)
    {
        keep = Math.Min(keep, _count);
        _buffer.AsSpan(_count - keep, keep).CopyTo(_buffer);
        _count = keep;
    }

    private void KeepTailOf(ReadOnlySpan<byte> data, int keep)
    {
        keep = Math.Min(keep, data.Length);
        data[^keep..].CopyTo(_buffer);
        _count = keep;
    }
}
