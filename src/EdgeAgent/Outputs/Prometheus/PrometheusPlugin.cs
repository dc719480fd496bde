using System.Net;
using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Prometheus;

/// <summary>
/// Plugs <c>outputs.prometheus</c> into the agent: its keys (declared once here: binder, schema and README follow them),
/// its binder, and the component that serves <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c>.
/// </summary>
public sealed class PrometheusPlugin : ComponentPlugin<PrometheusOptions>
{
    public const string SectionPath = "outputs.prometheus";

    private static readonly Section Keys = new();
    private static readonly StringKey Listen = Keys.String("listen", "IP:PORT the HTTP listener binds for /metrics, /healthz and /readyz, e.g. 127.0.0.1:9464 (default) or 0.0.0.0:9464 for every interface.");
    private static readonly MapKey PrometheusKey = new("prometheus", "HTTP endpoint of the agent: /metrics in the Prometheus text format, /healthz (alive), /readyz (every sink delivers).", Keys);

    public override string? Section => SectionPath;

    public override Key? Key => PrometheusKey;

    public override PrometheusOptions? Bind(ConfigMap? parent, BindingContext context)
    {
        var map = parent is null ? null : PrometheusKey.Read(parent);
        if (map is null)
        {
            return null;
        }

        var listen = Listen.Read(map) ?? new PrometheusOptions().Listen;
        if (!IPEndPoint.TryParse(listen, out var ep) || ep.Port == 0)
        {
            map.Error(Listen.Name, $"expected IP:PORT such as 127.0.0.1:9464 or [::1]:9464 (an IP address, not a host name, and a port 1-65535), found '{listen}'");
        }

        map.ReportUnknownKeys();
        return new PrometheusOptions { Listen = listen };
    }

    public override IAgentComponent? Create(PrometheusOptions? options, AgentContext context) =>
        options is null ? null : new PrometheusComponent(options);
}
