using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Outputs.Prometheus;

/// <summary>Stands in for the Prometheus endpoint this version does not have: one warning at start, nothing else.</summary>
internal sealed partial class PrometheusComponent(PrometheusOptions options) : IAgentComponent
{
    private ILogger? _logger;

    public void Register(AgentContext context) => _logger = context.Loggers.CreateLogger("EdgeAgent.Prometheus");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_logger is not null)
        {
            LogNoEndpoint(_logger, options.Listen);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 360, Level = LogLevel.Warning, Message = "outputs.prometheus is configured, but this version has no Prometheus endpoint: the section is only bound and validated, and nothing listens on {Listen}")]
    private static partial void LogNoEndpoint(ILogger logger, string listen);
}
