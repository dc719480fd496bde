namespace EdgeAgent.Drivers;

/// <summary>A driver fault an operator must see: carries the endpoint and whether a retry may help.</summary>
public class SourceException : Exception
{
    public SourceException(string endpoint, string message, bool isTransient, Exception? inner = null)
        : base(message, inner)
    {
        Endpoint = endpoint;
        IsTransient = isTransient;
    }

    public string Endpoint { get; }
    public bool IsTransient { get; }
}
