using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.SecureChannel;

/// <summary>
/// An OPC UA fault an operator must see: the endpoint, the status code (a service fault, an ERR message, a transport
/// failure mapped to BadConnectionClosed/BadTimeout/BadDecodingError…) and the service or step that failed.
/// Declared here, in the lowest layer that raises faults, so the secure channel and the client can name it. Catch the
/// public <c>EdgeAgent.Drivers.OpcUa.OpcUaException</c>: it derives from this type, and every fault the layers raise
/// through <see cref="Create"/> is one (the root folder installs <see cref="Constructor"/> when the assembly loads).
/// </summary>
public class UaException : SourceException
{
    protected UaException(string endpoint, uint statusCode, string message, bool isTransient, Exception? inner = null, string? service = null)
        : base(endpoint, $"{endpoint}: {(service is null ? "" : service + ": ")}{message} [{new StatusCode(statusCode)}]", isTransient, inner)
    {
        StatusCode = new StatusCode(statusCode);
        Service = service;
    }

    public StatusCode StatusCode { get; }

    /// <summary>The service (Read, Publish, …) or protocol step (HEL, OPN) that failed; null for the connection itself.</summary>
    public string? Service { get; }

    internal delegate UaException Factory(string endpoint, uint statusCode, string message, bool isTransient, Exception? inner, string? service);

    /// <summary>Makes the exception <see cref="Create"/> returns; replaced by the root folder at load.</summary>
    internal static Factory Constructor { get; set; } = static (endpoint, code, message, transient, inner, service) =>
        new UaException(endpoint, code, message, transient, inner, service);

    /// <summary>The fault to throw: what the layers below the root use instead of a constructor.</summary>
    internal static UaException Create(string endpoint, uint statusCode, string message, bool isTransient, Exception? inner = null, string? service = null) =>
        Constructor(endpoint, statusCode, message, isTransient, inner, service);
}
