using System.Net;
using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Prometheus;

/// <summary>
/// Plugs <c>outputs.prometheus</c> into the agent: its keys, binder and schema. The section is validated so a config
/// written for a later version fails early on a typo, but this version serves no endpoint: the component only says so.
/// </summary>
public sealed class PrometheusPlugin : ComponentPlugin<PrometheusOptions>
{
    public const string SectionPath = "outputs.prometheus";

    private static readonly Section Keys = new();
    private static readonly StringKey Listen = Keys.String("listen", "HOST:PORT of /metrics, /healthz, /readyz (default 127.0.0.1:9464).");
    private static readonly MapKey PrometheusKey = new("prometheus", "Prometheus endpoint. Bound and validated; this version serves no endpoint yet, so nothing listens.", Keys);

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
            map.Error(Listen.Name, $"expected HOST:PORT such as 127.0.0.1:9464, found '{listen}'");
        }

        map.ReportUnknownKeys();
        return new PrometheusOptions { Listen = listen };
    }

    public override IAgentComponent? Create(PrometheusOptions? options, AgentContext context) =>
        options is null ? null : new PrometheusComponent(options);
}
