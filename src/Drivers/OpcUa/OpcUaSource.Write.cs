using EdgeAgent.Drivers.OpcUa.Client;
using EdgeAgent.Drivers.OpcUa.Encoding;
using EdgeAgent.Drivers.OpcUa.SecureChannel;
using EdgeAgent.Drivers.OpcUa.Services;

namespace EdgeAgent.Drivers.OpcUa;

/// <summary>
/// The write path (Part 4 §5.10.4 Write): the value is sent in the node's own data type — the type of its current value,
/// or its DataType attribute when the value is null — converted from the engineering double (integers rounded half away
/// from zero and range-checked, Boolean 0/1, Float narrowed), then read back and compared. Uses the running session when
/// there is one, else a session of its own for this write (<c>edgeagent write</c>).
/// </summary>
public sealed partial class OpcUaSource : IWritableSource
{
    private volatile UaClient? _live;

    public async ValueTask<WriteResult> WriteAsync(TagBinding tag, double value, CancellationToken cancellationToken)
    {
        var options = tag.Options as OpcUaTagOptions ?? throw new ArgumentException($"tag {tag.Name}: options must be {nameof(OpcUaTagOptions)}", nameof(tag));
        if (!ExpandedNodeId.TryParse(options.Node, out var id, out var error))
        {
            throw new SourceException(Endpoint, $"tag {tag.Name}: {error}", isTransient: false);
        }

        var live = _live;
        UaClient? own = null;
        try
        {
            var client = live ?? (own = await UaClient.ConnectAsync(_options.Client, _logger, cancellationToken).ConfigureAwait(false));
            var node = await client.ResolveAsync(id, cancellationToken).ConfigureAwait(false);
            var type = await DataTypeOfAsync(client, node, cancellationToken).ConfigureAwait(false);
            if (ToVariant(value, type, out var problem) is not { } variant)
            {
                throw new SourceException(Endpoint, $"tag {tag.Name} ({options.Node}, {type}): {problem}", isTransient: false);
            }

            var status = (await client.WriteAsync([new WriteValue(node, new DataValue(variant))], cancellationToken).ConfigureAwait(false))[0];
            if (!status.IsGood)
            {
                // BadNotWritable, BadTypeMismatch, BadUserAccessDenied…: the server's answer, not worth a retry.
                throw new OpcUaException(Endpoint, status.Code, FormattableString.Invariant($"write of {value} to {options.Node} refused"), isTransient: false, service: "Write");
            }

            var back = await client.ReadValueAsync(node, cancellationToken).ConfigureAwait(false);
            var readBack = back.Value.ToDouble();
            var expected = new DataValue(variant).Value.ToDouble();
            return new WriteResult(readBack, back.StatusCode.IsGood && back.Value.Type == type && readBack.Equals(expected));
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The built-in type to write: that of the current value, else the node's DataType attribute (ns=0 ids 1..11).</summary>
    private async Task<BuiltInType> DataTypeOfAsync(UaClient client, NodeId node, CancellationToken cancellationToken)
    {
        var values = await client.ReadAsync([new ReadValueId(node), new ReadValueId(node, AttributeId.DataType)], cancellationToken).ConfigureAwait(false);
        if (values[0].Value is { IsNumeric: true } current)
        {
            return current.Type;
        }

        if (values[1].Value.Value is NodeId { NamespaceIndex: 0, IdType: IdType.Numeric, Numeric: >= 1 and <= 11 } dataType)
        {
            return (BuiltInType)dataType.Numeric;
        }

        throw new SourceException(Endpoint, $"{node}: not a numeric or Boolean scalar variable (value {values[0].Value}, data type {values[1].Value}); only those can be written", isTransient: false);
    }

    /// <summary><paramref name="value"/> as a Variant of <paramref name="type"/>, or null with the reason it does not fit.</summary>
    public static Variant? ToVariant(double value, BuiltInType type, out string? problem)
    {
        problem = null;
        if (!double.IsFinite(value))
        {
            problem = FormattableString.Invariant($"the value must be a finite number, found {value}");
            return null;
        }

        if (type == BuiltInType.Boolean)
        {
            if (value is 0 or 1)
            {
                return Variant.From(value == 1);
            }

            problem = FormattableString.Invariant($"a Boolean takes 0 or 1, found {value}");
            return null;
        }

        if (type == BuiltInType.Double)
        {
            return Variant.From(value);
        }

        if (type == BuiltInType.Float)
        {
            if (Math.Abs(value) <= float.MaxValue)
            {
                return Variant.From((float)value);
            }

            problem = FormattableString.Invariant($"{value} is outside the range of Float");
            return null;
        }

        var r = Math.Round(value, MidpointRounding.AwayFromZero);
        (double Min, double Max) range = type switch
        {
            BuiltInType.SByte => (sbyte.MinValue, sbyte.MaxValue),
            BuiltInType.Byte => (byte.MinValue, byte.MaxValue),
            BuiltInType.Int16 => (short.MinValue, short.MaxValue),
            BuiltInType.UInt16 => (ushort.MinValue, ushort.MaxValue),
            BuiltInType.Int32 => (int.MinValue, int.MaxValue),
            BuiltInType.UInt32 => (uint.MinValue, uint.MaxValue),
            // 2^63 and 2^64 are doubles but not Int64/UInt64 values: the upper bound of these two is exclusive.
            BuiltInType.Int64 => (long.MinValue, 9.2233720368547758E+18),
            BuiltInType.UInt64 => (0, 1.8446744073709552E+19),
            _ => (double.NaN, double.NaN),
        };
        if (double.IsNaN(range.Min))
        {
            problem = $"{type} values cannot be written";
            return null;
        }

        if (r < range.Min || r > range.Max || (type is BuiltInType.Int64 or BuiltInType.UInt64 && r >= range.Max))
        {
            var bounds = type switch
            {
                BuiltInType.Int64 => FormattableString.Invariant($"{long.MinValue}..{long.MaxValue}"),
                BuiltInType.UInt64 => FormattableString.Invariant($"0..{ulong.MaxValue}"),
                _ => FormattableString.Invariant($"{range.Min}..{range.Max}"),
            };
            problem = FormattableString.Invariant($"{value} does not fit {type} [{bounds}]");
            return null;
        }

        return type switch
        {
            BuiltInType.SByte => Variant.From((sbyte)r),
            BuiltInType.Byte => Variant.From((byte)r),
            BuiltInType.Int16 => Variant.From((short)r),
            BuiltInType.UInt16 => Variant.From((ushort)r),
            BuiltInType.Int32 => Variant.From((int)r),
            BuiltInType.UInt32 => Variant.From((uint)r),
            BuiltInType.Int64 => Variant.From((long)r),
            _ => Variant.From((ulong)r),
        };
    }
}
