using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Influx;

/// <summary>
/// Plugs <c>outputs.influxdb</c> into the agent: its keys, binder and schema. The section is validated so a config
/// written for a later version fails early on a typo, but this version has no InfluxDB sink: the component only says so.
/// </summary>
public sealed class InfluxPlugin : ComponentPlugin<InfluxOptions>
{
    public const string SectionPath = "outputs.influxdb";

    private static readonly Section Keys = new();
    private static readonly UrlKey Url = Keys.Url("url", "InfluxDB URL: http://host:port or https://host:port. Required.", ["http", "https"], required: true);
    private static readonly StringKey Org = Keys.String("org", "InfluxDB organization. Default none.");
    private static readonly StringKey Bucket = Keys.String("bucket", "Bucket to write to. Required.", required: true);
    private static readonly StringKey Token = Keys.String("token", "API token; write ${ENV} to keep it out of the file. Default none.");
    private static readonly MapKey Influxdb = new("influxdb", "InfluxDB output. Bound and validated; this version has no InfluxDB sink yet, so nothing is written.", Keys);

    public override string? Section => SectionPath;

    public override Key? Key => Influxdb;

    public override InfluxOptions? Bind(ConfigMap? parent, BindingContext context)
    {
        var map = parent is null ? null : Influxdb.Read(parent);
        if (map is null)
        {
            return null;
        }

        var url = Url.Read(map);
        var result = new InfluxOptions
        {
            Url = url ?? new Uri("http://localhost:8086"),
            Org = Org.Read(map),
            Bucket = Bucket.ReadRequired(map),
            Token = Token.Read(map),
        };
        map.ReportUnknownKeys();
        return result;
    }

    public override IAgentComponent? Create(InfluxOptions? options, AgentContext context) =>
        options is null ? null : new InfluxComponent(options);
}
