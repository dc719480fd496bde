using System.Buffers;
using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.SecureChannel;

/// <summary>
/// One reassembled response: the encoding id of its body and the body bytes after that id, in a pooled buffer
/// returned on <see cref="Dispose"/>. Decode with <see cref="CreateReader"/>.
/// </summary>
public sealed class UaResponse : IDisposable
{
    private byte[]? _buffer;
    private readonly int _offset;
    private readonly int _length;
    private readonly UaDecodingLimits _limits;

    internal UaResponse(byte[] buffer, int offset, int length, uint typeId, UaDecodingLimits limits)
    {
        _buffer = buffer;
        _offset = offset;
        _length = length;
        TypeId = typeId;
        _limits = limits;
    }

    /// <summary>The numeric ns=0 binary encoding id of the body (e.g. 634 ReadResponse, 397 ServiceFault); 0 if not numeric.</summary>
    public uint TypeId { get; }

    public ReadOnlySpan<byte> Body => _buffer.AsSpan(_offset, _length);

    public UaBinaryReader CreateReader() => new(Body, _limits);

    public void Dispose()
    {
        var b = Interlocked.Exchange(ref _buffer, null);
        if (b is not null)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
