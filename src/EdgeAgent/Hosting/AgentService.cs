using EdgeAgent.Config;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>The hosted worker: runs the agent until the host stops (SIGTERM, Ctrl-C, systemd stop).</summary>
internal sealed class AgentService(AgentConfig config, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var agent = new Agent(config, loggers, AgentMetrics.Default);
        try
        {
            await agent.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            loggers.CreateLogger("EdgeAgent").LogCritical(ex, "Agent failed");
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }
}
