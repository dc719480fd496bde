using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace EdgeAgent.Outputs.Influx;

/// <summary>
/// Sends one batch of line protocol: <c>POST /api/v2/write?org=…&amp;bucket=…&amp;precision=ns</c> with
/// <c>Authorization: Token …</c> (version 2), or <c>POST /write?db=…&amp;rp=…&amp;precision=ns</c> with basic
/// authentication (version 1, the API of InfluxDB 1.x, which has no /api/v2). The body is sent as it was queued,
/// gzip-compressed or not (<c>Content-Encoding: gzip</c>). A request not answered within the timeout is abandoned.
/// Every failure is an <see cref="InfluxWriteException"/> saying whether a retry can help.
/// </summary>
internal sealed class InfluxWriter : IDisposable
{
    private static readonly MediaTypeHeaderValue LineProtocolType = new("text/plain") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly AuthenticationHeaderValue? _auth;

    public InfluxWriter(InfluxOptions options, HttpMessageHandler? handler = null)
    {
        _timeout = options.Timeout;
        Endpoint = WriteUri(options);
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            ConnectTimeout = options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5), // follow a DNS change of the server
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // per request, below: the caller's token must stay distinguishable
        };
        _auth = options.Version == 1
            ? options.User is null ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.User}:{options.Password}")))
            : options.Token is null ? null : new AuthenticationHeaderValue("Token", options.Token);
    }

    /// <summary>The write URL (with bucket or database in the query; credentials are never in it).</summary>
    public Uri Endpoint { get; }

    public static Uri WriteUri(InfluxOptions options)
    {
        var builder = new UriBuilder(options.Url);
        var path = builder.Path.TrimEnd('/');
        var query = new StringBuilder();
        if (options.Version == 1)
        {
            builder.Path = path + "/write";
            Append(query, "db", options.Database);
            Append(query, "rp", options.Retention);
        }
        else
        {
            builder.Path = path + "/api/v2/write";
            Append(query, "org", options.Org);
            Append(query, "bucket", options.Bucket);
        }

        Append(query, "precision", "ns");
        builder.Query = query.ToString();
        return builder.Uri;
    }

    private static void Append(StringBuilder query, string key, string? value)
    {
        if (value is null)
        {
            return;
        }

        query.Append(query.Length == 0 ? "" : "&").Append(key).Append('=').Append(Uri.EscapeDataString(value));
    }

    /// <summary>Writes <paramref name="body"/>; returns when the server accepted it, throws <see cref="InfluxWriteException"/> otherwise.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> body, bool gzip, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = LineProtocolType;
        if (gzip)
        {
            request.Content.Headers.ContentEncoding.Add("gzip");
        }

        request.Headers.Authorization = _auth;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InfluxWriteException(Endpoint, null, $"no answer within {_timeout.TotalSeconds:0.###} s", transient: true, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new InfluxWriteException(Endpoint, null, ex.InnerException?.Message ?? ex.Message, transient: true, ex);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            string text;
            try
            {
                text = await ReadReasonAsync(response, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                text = "(the error body did not arrive in time)";
            }

            var status = response.StatusCode;
            var transient = (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
            throw new InfluxWriteException(Endpoint, status, text, transient);
        }
    }

    /// <summary>The server's message: <c>{"code","message"}</c> (v2) or <c>{"error"}</c> (v1), else the first 500 characters.</summary>
    private static async Task<string> ReadReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in (string[])["message", "error"])
                {
                    if (json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        return value.GetString()!;
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        body = body.Trim();
        return body.Length == 0 ? response.ReasonPhrase ?? "no message" : body.Length > 500 ? body[..500] + "…" : body;
    }

    public void Dispose() => _http.Dispose();
}
