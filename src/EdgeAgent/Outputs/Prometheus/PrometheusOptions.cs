namespace EdgeAgent.Outputs.Prometheus;

/// <summary><c>outputs.prometheus</c>: the address of the HTTP listener serving /metrics, /healthz and /readyz.</summary>
public sealed record PrometheusOptions
{
    /// <summary>IP:PORT to bind (an IP address, so the agent never listens wider than asked).</summary>
    public string Listen { get; init; } = "127.0.0.1:9464";
}
