namespace EdgeAgent.Outputs.Prometheus;

/// <summary><c>outputs.prometheus</c>: where /metrics would listen (bound and validated; no endpoint yet).</summary>
public sealed record PrometheusOptions
{
    public string Listen { get; init; } = "127.0.0.1:9464";
}
