using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Outputs.Influx;

/// <summary>The running InfluxDB output: builds the <see cref="InfluxSink"/> with what it reads of the agent and adds it.</summary>
internal sealed class InfluxComponent(InfluxOptions options) : IAgentComponent
{
    private InfluxSink? _sink;

    public InfluxSink? Sink => _sink;

    public void Register(AgentContext context)
    {
        var folder = options.SpillPath ?? Path.Combine(context.Agent.Data, "influx");
        _sink = new InfluxSink(options, context.Directory, context.Metrics, context.Loggers.CreateLogger("EdgeAgent.Influx"), folder);
        context.AddSink(_sink);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_sink is not null)
        {
            await _sink.DisposeAsync().ConfigureAwait(false);
        }
    }
}
