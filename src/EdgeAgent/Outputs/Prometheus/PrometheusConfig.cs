using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Prometheus;

/// <summary>The Prometheus output's typed accessor on the bound configuration.</summary>
public static class PrometheusConfig
{
    /// <summary>The bound <c>outputs.prometheus</c>, or null when the section is absent.</summary>
    public static PrometheusOptions? Prometheus(this AgentConfig config) => config.Section<PrometheusOptions>(PrometheusPlugin.SectionPath);
}
