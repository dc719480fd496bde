using System.Globalization;

namespace EdgeAgent.Drivers.OpcUa.Encoding;

/// <summary>The identifier type of a <see cref="NodeId"/> (Part 3 §8.2.3).</summary>
public enum IdType : byte
{
    Numeric = 0,
    String = 1,
    Guid = 2,
    Opaque = 3,
}

/// <summary>
/// An OPC UA node id (Part 3 §8.2): a namespace index and a numeric, string, GUID or opaque identifier.
/// Immutable; equality compares the identifier by value (opaque ids byte by byte). The text form is the
/// one of Part 6 §5.3.1.10: <c>ns=2;s=Line7.Bore</c>, <c>i=85</c>, <c>ns=1;g=…</c>, <c>ns=3;b=BASE64</c>.
/// </summary>
public sealed class NodeId : IEquatable<NodeId>
{
    public static readonly NodeId Null = new(0, 0u);

    private readonly object? _identifier;

    public NodeId(ushort namespaceIndex, uint identifier)
    {
        NamespaceIndex = namespaceIndex;
        IdType = IdType.Numeric;
        Numeric = identifier;
    }

    public NodeId(ushort namespaceIndex, string identifier)
    {
        NamespaceIndex = namespaceIndex;
        IdType = IdType.String;
        _identifier = identifier ?? throw new ArgumentNullException(nameof(identifier));
    }

    public NodeId(ushort namespaceIndex, Guid identifier)
    {
        NamespaceIndex = namespaceIndex;
        IdType = IdType.Guid;
        _identifier = identifier;
    }

    public NodeId(ushort namespaceIndex, byte[] identifier)
    {
        NamespaceIndex = namespaceIndex;
        IdType = IdType.Opaque;
        _identifier = identifier ?? throw new ArgumentNullException(nameof(identifier));
    }

    public ushort NamespaceIndex { get; }
    public IdType IdType { get; }

    /// <summary>The numeric identifier (0 for other id types).</summary>
    public uint Numeric { get; }

    public string? StringId => _identifier as string;
    public Guid GuidId => _identifier is Guid g ? g : Guid.Empty;
    public byte[]? OpaqueId => _identifier as byte[];

    public bool IsNull => IdType switch
    {
        IdType.Numeric => NamespaceIndex == 0 && Numeric == 0,
        IdType.String => NamespaceIndex == 0 && StringId!.Length == 0,
        IdType.Guid => NamespaceIndex == 0 && GuidId == Guid.Empty,
        _ => NamespaceIndex == 0 && OpaqueId!.Length == 0,
    };

    public static implicit operator NodeId(uint ns0Numeric) => new(0, ns0Numeric);

    public bool Equals(NodeId? other)
    {
        if (other is null || other.NamespaceIndex != NamespaceIndex || other.IdType != IdType)
        {
            return false;
        }

        return IdType switch
        {
            IdType.Numeric => other.Numeric == Numeric,
            IdType.String => string.Equals(StringId, other.StringId, StringComparison.Ordinal),
            IdType.Guid => GuidId == other.GuidId,
            _ => OpaqueId.AsSpan().SequenceEqual(other.OpaqueId),
        };
    }

    public override bool Equals(object? obj) => Equals(obj as NodeId);

    public override int GetHashCode() => IdType switch
    {
        IdType.Numeric => HashCode.Combine(NamespaceIndex, Numeric),
        IdType.String => HashCode.Combine(NamespaceIndex, StringId),
        IdType.Guid => HashCode.Combine(NamespaceIndex, GuidId),
        _ => HashCode.Combine(NamespaceIndex, OpaqueId!.Length > 0 ? OpaqueId[0] : 0, OpaqueId.Length),
    };

    public static bool operator ==(NodeId? a, NodeId? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(NodeId? a, NodeId? b) => !(a == b);

    public override string ToString()
    {
        var prefix = NamespaceIndex == 0 ? "" : $"ns={NamespaceIndex};";
        return prefix + IdentifierText();
    }

    internal string IdentifierText() => IdType switch
    {
        IdType.Numeric => "i=" + Numeric.ToString(CultureInfo.InvariantCulture),
        IdType.String => "s=" + StringId,
        IdType.Guid => "g=" + GuidId.ToString("D"),
        _ => "b=" + Convert.ToBase64String(OpaqueId!),
    };

    /// <summary>Parses <c>[ns=N;]i=|s=|g=|b=…</c>. Throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static NodeId Parse(string text)
    {
        if (!TryParse(text, out var id, out var error))
        {
            throw new FormatException(error);
        }

        return id;
    }

    public static bool TryParse(string text, out NodeId nodeId) => TryParse(text, out nodeId, out _);

    public static bool TryParse(string? text, out NodeId nodeId, out string error)
    {
        nodeId = Null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a node id is empty; expected e.g. ns=2;s=Line7.Bore or i=85";
            return false;
        }

        var rest = text.AsSpan();
        ushort ns = 0;
        if (rest.StartsWith("ns=", StringComparison.Ordinal))
        {
            var semi = rest.IndexOf(';');
            if (semi < 0 || !ushort.TryParse(rest[3..semi], NumberStyles.None, CultureInfo.InvariantCulture, out ns))
            {
                error = $"node id '{text}': expected ns=<0-65535>; before the identifier";
                return false;
            }

            rest = rest[(semi + 1)..];
        }

        return TryParseIdentifier(text, ns, rest, out nodeId, out error);
    }

    internal static bool TryParseIdentifier(string text, ushort ns, ReadOnlySpan<char> rest, out NodeId nodeId, out string error)
    {
        nodeId = Null;
        error = "";
        if (rest.Length < 2 || rest[1] != '=')
        {
            error = $"node id '{text}': expected i=, s=, g= or b= after the namespace";
            return false;
        }

        var value = rest[2..];
        switch (rest[0])
        {
            case 'i':
                if (!uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    error = $"node id '{text}': i= needs an unsigned 32-bit number";
                    return false;
                }

                nodeId = new NodeId(ns, n);
                return true;
            case 's':
                nodeId = new NodeId(ns, value.ToString());
                return true;
            case 'g':
                if (!Guid.TryParse(value, out var g))
                {
                    error = $"node id '{text}': g= needs a GUID like 09087e75-8e5e-499b-954f-f2a9603db28a";
                    return false;
                }

                nodeId = new NodeId(ns, g);
                return true;
            case 'b':
                var bytes = new byte[value.Length];
                if (!Convert.TryFromBase64Chars(value, bytes, out var written))
                {
                    error = $"node id '{text}': b= needs base64";
                    return false;
                }

                nodeId = new NodeId(ns, bytes[..written]);
                return true;
            default:
                error = $"node id '{text}': unknown identifier type '{rest[0]}', expected i, s, g or b";
                return false;
        }
    }
}

/// <summary>
/// A node id that may name its namespace by URI instead of index and may live on another server
/// (Part 6 §5.2.2.10). Text form: <c>[svr=N;][nsu=URI;|ns=N;]i=|s=|g=|b=…</c>.
/// </summary>
public sealed record ExpandedNodeId(NodeId NodeId, string? NamespaceUri = null, uint ServerIndex = 0)
{
    public static readonly ExpandedNodeId Null = new(NodeId.Null);

    public static implicit operator ExpandedNodeId(NodeId id) => new(id);

    public bool IsLocal => ServerIndex == 0;

    /// <summary>
    /// The local node id, with a namespace URI turned into its index through the server's namespace array
    /// (Server.NamespaceArray, i=2255). Throws <see cref="FormatException"/> when the URI is not in the table.
    /// </summary>
    public NodeId Resolve(IReadOnlyList<string> namespaceTable)
    {
        if (NamespaceUri is null)
        {
            return NodeId;
        }

        for (var i = 0; i < namespaceTable.Count; i++)
        {
            if (string.Equals(namespaceTable[i], NamespaceUri, StringComparison.Ordinal))
            {
                return NodeId.IdType switch
                {
                    IdType.Numeric => new NodeId((ushort)i, NodeId.Numeric),
                    IdType.String => new NodeId((ushort)i, NodeId.StringId!),
                    IdType.Guid => new NodeId((ushort)i, NodeId.GuidId),
                    _ => new NodeId((ushort)i, NodeId.OpaqueId!),
                };
            }
        }

        throw new FormatException($"namespace '{NamespaceUri}' is not in the server's namespace array ({namespaceTable.Count} entries)");
    }

    public override string ToString()
    {
        var svr = ServerIndex == 0 ? "" : $"svr={ServerIndex};";
        return NamespaceUri is null ? svr + NodeId : $"{svr}nsu={NamespaceUri};{NodeId.IdentifierText()}";
    }

    public static ExpandedNodeId Parse(string text)
    {
        if (!TryParse(text, out var id, out var error))
        {
            throw new FormatException(error);
        }

        return id;
    }

    public static bool TryParse(string? text, out ExpandedNodeId id, out string error)
    {
        id = Null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "a node id is empty; expected e.g. ns=2;s=Line7.Bore, nsu=urn:x;s=Bore or i=85";
            return false;
        }

        var rest = text.AsSpan();
        uint server = 0;
        if (rest.StartsWith("svr=", StringComparison.Ordinal))
        {
            var semi = rest.IndexOf(';');
            if (semi < 0 || !uint.TryParse(rest[4..semi], NumberStyles.None, CultureInfo.InvariantCulture, out server))
            {
                error = $"node id '{text}': expected svr=<number>;";
                return false;
            }

            rest = rest[(semi + 1)..];
        }

        if (rest.StartsWith("nsu=", StringComparison.Ordinal))
        {
            // The URI ends at the last ";x=" (URIs may contain ';' themselves).
            var end = -1;
            for (var i = rest.Length - 3; i >= 4; i--)
            {
                if (rest[i] == ';' && rest[i + 2] == '=' && "isgb".Contains(rest[i + 1]))
                {
                    end = i;
                    break;
                }
            }

            if (end < 0)
            {
                error = $"node id '{text}': expected nsu=<uri>;i=|s=|g=|b=…";
                return false;
            }

            var uri = rest[4..end].ToString();
            if (!NodeId.TryParseIdentifier(text, 0, rest[(end + 1)..], out var local, out error))
            {
                return false;
            }

            id = new ExpandedNodeId(local, uri, server);
            return true;
        }

        if (!NodeId.TryParse(rest.ToString(), out var node, out error))
        {
            return false;
        }

        id = new ExpandedNodeId(node, null, server);
        return true;
    }
}
