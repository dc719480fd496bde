using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using EdgeAgent.Drivers.OpcUa.SecureChannel;

namespace EdgeAgent.Drivers.OpcUa;

/// <summary>
/// An OPC UA fault an operator must see: the endpoint, the status code (a service fault, an ERR message, a transport
/// failure mapped to BadConnectionClosed/BadTimeout/BadDecodingError…) and the service or step that failed.
/// Every fault of every layer is one: the secure channel and the client raise it through <see cref="UaException.Create"/>.
/// </summary>
public class OpcUaException : UaException
{
    public OpcUaException(string endpoint, uint statusCode, string message, bool isTransient, Exception? inner = null, string? service = null)
        : base(endpoint, statusCode, message, isTransient, inner, service)
    {
    }

    /// <summary>Runs when the assembly loads, before any layer can raise a fault: faults are OpcUaExceptions.</summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Sets one delegate of this assembly (no I/O, cannot fail) so the layers below keep raising the public type without naming it.")]
    internal static void RaiseOpcUaExceptions() => Constructor = static (endpoint, code, message, transient, inner, service) =>
        new OpcUaException(endpoint, code, message, transient, inner, service);
}
