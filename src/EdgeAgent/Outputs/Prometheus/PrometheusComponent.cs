using System.Net;
using System.Text;
using EdgeAgent.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Outputs.Prometheus;

/// <summary>
/// The agent's HTTP listener (Kestrel, bound to <c>listen</c> only): <c>/metrics</c> in the Prometheus text format,
/// <c>/healthz</c> (the process answers) and <c>/readyz</c> (every sink delivers). It starts with the components, before
/// the sinks connect, so <c>/readyz</c> says "not ready" until they have; an address that cannot be bound stops the
/// agent at start with <see cref="AgentStartException"/> naming it (exit code 2).
/// </summary>
internal sealed partial class PrometheusComponent(PrometheusOptions options) : IAgentComponent
{
    private AgentContext? _context;
    private ILogger? _logger;
    private MetricsExposition? _exposition;
    private WebApplication? _app;

    /// <summary>The address Kestrel bound (the given one; with port 0, the port it picked).</summary>
    public IPEndPoint? BoundEndpoint { get; private set; }

    public void Register(AgentContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger("EdgeAgent.Prometheus");
        _exposition = new MetricsExposition(context.Metrics);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var context = _context ?? throw new InvalidOperationException("StartAsync before Register");
        var endpoint = IPEndPoint.Parse(options.Listen);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton<ILoggerFactory>(new WithoutHostLogs(context.Loggers));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(endpoint);
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new AgentStartException($"outputs.prometheus: cannot listen on {options.Listen}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }

        _app = app;
        BoundEndpoint = BoundAddress(app, endpoint);
        LogListening(_logger!, BoundEndpoint.ToString());
    }

    private static IPEndPoint BoundAddress(WebApplication app, IPEndPoint requested)
    {
        foreach (var url in app.Urls)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                return new IPEndPoint(requested.Address, uri.Port);
            }
        }

        return requested;
    }

    private Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var response = http.Response;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return Task.CompletedTask;
        }

        switch (request.Path.Value)
        {
            case "/metrics":
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = MetricsExposition.ContentType;
                if (HttpMethods.IsGet(request.Method))
                {
                    _exposition!.Write(response.BodyWriter);
                }

                return Task.CompletedTask;
            case "/healthz":
                return PlainAsync(response, StatusCodes.Status200OK, "ok\n");
            case "/readyz":
                var reasons = NotReady();
                return reasons is null
                    ? PlainAsync(response, StatusCodes.Status200OK, "ready\n")
                    : PlainAsync(response, StatusCodes.Status503ServiceUnavailable, "not ready: " + reasons + "\n");
            default:
                return PlainAsync(response, StatusCodes.Status404NotFound, "not found: this endpoint serves /metrics, /healthz and /readyz\n");
        }
    }

    /// <summary>Null when every sink that reports its health delivers; otherwise each one's reason, separated by "; ".</summary>
    internal string? NotReady()
    {
        StringBuilder? reasons = null;
        foreach (var sink in _context!.Sinks)
        {
            if (sink is ISinkHealth { NotReadyReason: { } reason })
            {
                reasons = reasons is null ? new StringBuilder(reason) : reasons.Append("; ").Append(reason);
            }
        }

        return reasons?.ToString();
    }

    private static Task PlainAsync(HttpResponse response, int status, string text)
    {
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        return response.WriteAsync(text);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(stop.Token).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The agent's loggers without the generic host's: a failed bind is reported once, by the agent, naming the key,
    /// instead of also as the host's "Hosting failed to start" with the same stack.
    /// </summary>
    private sealed class WithoutHostLogs(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal) ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose()
        {
            // the agent owns its loggers
        }
    }

    [LoggerMessage(EventId = 360, Level = LogLevel.Information, Message = "Serving /metrics, /healthz and /readyz on http://{Listen}")]
    private static partial void LogListening(ILogger logger, string listen);
}
