using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Influx;

/// <summary>The InfluxDB output's typed accessor on the bound configuration.</summary>
public static class InfluxConfig
{
    /// <summary>The bound <c>outputs.influxdb</c>, or null when the section is absent.</summary>
    public static InfluxOptions? Influxdb(this AgentConfig config) => config.Section<InfluxOptions>(InfluxPlugin.SectionPath);
}
