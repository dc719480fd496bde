using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Outputs.Influx;

/// <summary>Stands in for the InfluxDB sink this version does not have: one warning at start, nothing else.</summary>
internal sealed partial class InfluxComponent(InfluxOptions options) : IAgentComponent
{
    private ILogger? _logger;

    public void Register(AgentContext context) => _logger = context.Loggers.CreateLogger("EdgeAgent.Influx");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_logger is not null)
        {
            LogNoSink(_logger, options.Url.ToString(), options.Bucket);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 350, Level = LogLevel.Warning, Message = "outputs.influxdb is configured, but this version has no InfluxDB sink: the section is only bound and validated, and nothing is written to {Url} (bucket {Bucket})")]
    private static partial void LogNoSink(ILogger logger, string url, string bucket);
}
