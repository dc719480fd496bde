using EdgeAgent.Drivers.OpcUa.Encoding;

namespace EdgeAgent.Drivers.OpcUa.SecureChannel;

/// <summary>
/// An OPC UA fault an operator must see: the endpoint, the status code (a service fault, an ERR message, a transport
/// failure mapped to BadConnectionClosed/BadTimeout/BadDecodingError…) and the service or step that failed.
/// Declared in the lowest layer that raises faults, so the secure channel, the services and the client all throw it.
/// </summary>
public class OpcUaException : SourceException
{
    public OpcUaException(string endpoint, uint statusCode, string message, bool isTransient, Exception? inner = null, string? service = null)
        : base(endpoint, $"{endpoint}: {(service is null ? "" : service + ": ")}{message} [{new StatusCode(statusCode)}]", isTransient, inner)
    {
        StatusCode = new StatusCode(statusCode);
        Service = service;
    }

    public StatusCode StatusCode { get; }

    /// <summary>The service (Read, Publish, …) or protocol step (HEL, OPN) that failed; null for the connection itself.</summary>
    public string? Service { get; }
}
