using System.Buffers;
using System.Globalization;
using System.Text;

namespace EdgeAgent.Outputs.Influx;

/// <summary>
/// A growing byte buffer rented from <see cref="ArrayPool{T}.Shared"/> that line protocol is written into, value by value,
/// without allocating: numbers are formatted straight into it as UTF-8 (<see cref="IUtf8SpanFormattable"/>), text is
/// escaped byte by byte. Returned to the pool on <see cref="Dispose"/>.
/// </summary>
internal sealed class LineBuffer : IDisposable
{
    /// <summary>Ticks (100 ns) from 0001-01-01 to the Unix epoch.</summary>
    private const long UnixEpochTicks = 621_355_968_000_000_000;

    private byte[] _buffer;
    private int _length;

    public LineBuffer(int initialCapacity = 64 * 1024) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Clear() => _length = 0;

    /// <summary>Back to <paramref name="length"/> (a point that turned out to have no field is taken back).</summary>
    public void Truncate(int length) => _length = length;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _length += bytes.Length;
    }

    public void Write(byte b)
    {
        Reserve(1)[0] = b;
        _length++;
    }

    /// <summary>A float field value: shortest round-trip form ("10.01", "1E+20"); the caller skips NaN and infinities.</summary>
    public void WriteFloat(double value)
    {
        var span = Reserve(32);
        value.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
        _length += n;
    }

    /// <summary>An integer field value: digits and the <c>i</c> suffix.</summary>
    public void WriteInteger(long value)
    {
        var span = Reserve(21);
        value.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
        span[n] = (byte)'i';
        _length += n + 1;
    }

    /// <summary>The point's timestamp in nanoseconds since the Unix epoch (requests say <c>precision=ns</c>).</summary>
    public void WriteTimestamp(long utcTicks)
    {
        var span = Reserve(20);
        ((utcTicks - UnixEpochTicks) * 100).TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
        _length += n;
    }

    /// <summary>
    /// A measurement name, tag key, tag value or field key: ',', '=' and ' ' are escaped with '\' (only ',' and ' ' for a
    /// measurement, where '=' is fine: <paramref name="measurement"/>). Line protocol has no escape for a line break:
    /// it is written as the two characters <c>\n</c>, as the reference client does.
    /// </summary>
    public void WriteName(string text, bool measurement = false)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case ',':
                case ' ':
                    Write((byte)'\\');
                    Write((byte)c);
                    break;
                case '=' when !measurement:
                    Write((byte)'\\');
                    Write((byte)c);
                    break;
                case '\n':
                    Write((byte)'\\');
                    Write((byte)'n');
                    break;
                case '\r':
                    Write((byte)'\\');
                    Write((byte)'r');
                    break;
                default:
                    i = WriteChar(text, i);
                    break;
            }
        }
    }

    /// <summary>A string field value in double quotes, with '"' and '\' escaped.</summary>
    public void WriteString(string text)
    {
        Write((byte)'"');
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '"' or '\\')
            {
                Write((byte)'\\');
            }

            i = WriteChar(text, i);
        }

        Write((byte)'"');
    }

    /// <summary>The UTF-8 bytes of the character at <paramref name="i"/> (two chars for a surrogate pair); returns the last index used.</summary>
    private int WriteChar(string text, int i)
    {
        var c = text[i];
        if (c < 0x80)
        {
            Write((byte)c);
            return i;
        }

        var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
        _length += Encoding.UTF8.GetBytes(text.AsSpan(i, pair ? 2 : 1), Reserve(8));
        return pair ? i + 1 : i;
    }

    private Span<byte> Reserve(int size)
    {
        if (_length + size > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        return _buffer.AsSpan(_length);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
    }
}
