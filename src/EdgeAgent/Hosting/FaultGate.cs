using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeAgent.Hosting;

/// <summary>
/// The error boundary of one consumer or sink in the router: every failure is counted
/// (<c>edgeagent_consumer_errors_total{consumer}</c> / <c>edgeagent_sink_errors_total{sink}</c>), but only a change of
/// state is logged: the first failure with its exception and stack, then one line when it works again. A consumer that
/// throws on every sample therefore logs once, not at the sample rate.
/// </summary>
internal sealed partial class FaultGate
{
    private readonly string _kind;
    private readonly string _name;
    private readonly AgentMetrics.Counter _errors;
    private readonly ILogger _logger;
    private long _failuresInRow;

    public FaultGate(string kind, string name, AgentMetrics metrics, ILogger logger)
    {
        _kind = kind;
        _name = name;
        _errors = metrics.Get($"edgeagent_{kind}_errors_total", kind, name);
        _logger = logger;
    }

    public bool Failing => _failuresInRow > 0;

    public void Failed(Exception ex, string doing)
    {
        _errors.Inc();
        if (_failuresInRow++ == 0)
        {
            LogFailing(_logger, ex, _kind, _name, doing);
        }
    }

    /// <summary>Call after a successful call; logs the recovery once when the gate was failing.</summary>
    public void Succeeded()
    {
        if (_failuresInRow > 0)
        {
            LogRecovered(_logger, _kind, _name, _failuresInRow);
            _failuresInRow = 0;
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "The {Kind} {Name} failed {Doing}; further failures are counted, not logged, until it recovers")]
    private static partial void LogFailing(ILogger logger, Exception ex, string kind, string name, string doing);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "The {Kind} {Name} works again after {Failures} failures in a row")]
    private static partial void LogRecovered(ILogger logger, string kind, string name, long failures);
}
