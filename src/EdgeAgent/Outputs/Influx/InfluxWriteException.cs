using System.Net;

namespace EdgeAgent.Outputs.Influx;

/// <summary>
/// A write request that did not succeed: what an operator needs to act on it. <see cref="IsTransient"/> decides the
/// retry: a server error (5xx), 429, 408, a timeout or a refused connection is retried with backoff; any other 4xx
/// (wrong token, unknown bucket or database, bad line) is not, because the same request would fail the same way.
/// </summary>
public sealed class InfluxWriteException(Uri endpoint, HttpStatusCode? status, string reason, bool transient, Exception? inner = null)
    : Exception($"{Describe(status)} from {endpoint.GetLeftPart(UriPartial.Path)}: {reason}", inner)
{
    /// <summary>The write URL without its query (which names the bucket or database, never the token).</summary>
    public Uri Endpoint { get; } = endpoint;

    /// <summary>The HTTP status, or null when no response came (timeout, connection refused).</summary>
    public HttpStatusCode? StatusCode { get; } = status;

    /// <summary>The server's own words (its JSON <c>message</c> or <c>error</c>) or what went wrong on the way.</summary>
    public string Reason { get; } = reason;

    public bool IsTransient { get; } = transient;

    private static string Describe(HttpStatusCode? status) => status is { } s ? $"HTTP {(int)s} {s}" : "no response";
}
