using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Outputs.Influx;

/// <summary>
/// Plugs <c>outputs.influxdb</c> into the agent: its keys (declared once here: binder, schema and README follow them),
/// its binder, and the component that runs the <see cref="InfluxSink"/>.
/// </summary>
public sealed class InfluxPlugin : ComponentPlugin<InfluxOptions>
{
    public const string SectionPath = "outputs.influxdb";

    private static readonly string[] V2Only = ["org", "bucket", "token"];
    private static readonly string[] V1Only = ["database", "retention", "user", "password"];

    private static readonly Section Keys = new();
    private static readonly IntKey Version = Keys.Int("version", "Write API: 2 (default; /api/v2/write with org, bucket, token) or 1 (/write with database, retention, user, password).", 1, 2);
    private static readonly UrlKey Url = Keys.Url("url", "InfluxDB URL: http://host:port or https://host:port. Required.", ["http", "https"], required: true);
    private static readonly StringKey Org = Keys.String("org", "Version 2: organization. Default none.");
    private static readonly StringKey Bucket = Keys.String("bucket", "Version 2: bucket to write to. Required with version 2.");
    private static readonly StringKey Token = Keys.String("token", "Version 2: API token; write ${ENV} to keep it out of the file. Default none.");
    private static readonly StringKey Database = Keys.String("database", "Version 1: database to write to. Required with version 1.");
    private static readonly StringKey Retention = Keys.String("retention", "Version 1: retention policy. Default: the database's default.");
    private static readonly StringKey User = Keys.String("user", "Version 1: user name (HTTP basic authentication). Default none.");
    private static readonly StringKey Password = Keys.String("password", "Version 1: password (needs user); write ${ENV} to keep it out of the file. Default none.");
    private static readonly IntKey BatchSize = Keys.Int("batchSize", "Most points in one write request, 1 to 100000. Default 5000.", 1, 100_000);
    private static readonly DurationKey FlushInterval = Keys.Duration("flushInterval", "A batch is sent when full or after this, 10ms to 1m. Default 1s.", TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
    private static readonly BoolKey Gzip = Keys.Bool("gzip", "Compress write requests and spilled batches with gzip. Default true.");
    private static readonly DurationKey Timeout = Keys.Duration("timeout", "Deadline of one write request (then retried), 100ms to 5m. Default 10s.", TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
    private static readonly DurationKey RetryMax = Keys.Duration("retryMax", "Ceiling of the retry backoff, which doubles from 250ms; 250ms to 1h. Default 30s.", TimeSpan.FromMilliseconds(250), TimeSpan.FromHours(1));
    private static readonly IntKey Buffer = Keys.Int("buffer", "Samples taken from the pipeline and not yet encoded (full: new samples are dropped and counted), 1000 to 10000000. Default 200000.", 1000, 10_000_000);
    private static readonly SizeKey QueueMemory = Keys.Size("queueMemory", "Encoded batches kept in memory while the server is away before they spill to disk, e.g. 32MB (default).", 0);
    private static readonly SizeKey QueueDisk = Keys.Size("queueDisk", "Spilled batches kept in {agent.data}/influx (full: the oldest batch is dropped and counted), e.g. 1GB (default).", 0);
    private static readonly MapKey Influxdb = new("influxdb", "InfluxDB output: samples, SPC points, capability, alarms and equipment state as line protocol.", Keys);

    public override string? Section => SectionPath;

    public override Key? Key => Influxdb;

    public override InfluxOptions? Bind(ConfigMap? parent, BindingContext context)
    {
        var map = parent is null ? null : Influxdb.Read(parent);
        if (map is null)
        {
            return null;
        }

        var version = Version.Read(map) ?? 2;
        var url = Url.Read(map);
        var defaults = new InfluxOptions { Url = new Uri("http://localhost:8086") };
        var result = defaults with
        {
            Version = version,
            Url = url ?? defaults.Url,
            Org = Org.Read(map),
            Bucket = version == 2 ? map.String(Bucket.Name, required: true) : Bucket.Read(map),
            Token = Token.Read(map),
            Database = version == 1 ? map.String(Database.Name, required: true) : Database.Read(map),
            Retention = Retention.Read(map),
            User = User.Read(map),
            Password = Password.Read(map),
            BatchSize = BatchSize.Read(map) ?? defaults.BatchSize,
            FlushInterval = FlushInterval.Read(map) ?? defaults.FlushInterval,
            Gzip = Gzip.Read(map) ?? defaults.Gzip,
            Timeout = Timeout.Read(map) ?? defaults.Timeout,
            RetryMax = RetryMax.Read(map) ?? defaults.RetryMax,
            Buffer = Buffer.Read(map) ?? defaults.Buffer,
            QueueMemory = QueueMemory.Read(map) ?? defaults.QueueMemory,
            QueueDisk = QueueDisk.Read(map) ?? defaults.QueueDisk,
        };

        // Each version's keys belong to it: a v1 database under a v2 section would be silently ignored otherwise.
        foreach (var key in version == 1 ? V2Only : V1Only)
        {
            if (map.Has(key))
            {
                map.Error(key, version == 1
                    ? $"{key} is a version 2 key; with version: 1 write database, retention, user, password"
                    : $"{key} is a version 1 key: add version: 1, or write org, bucket, token for version 2");
            }
        }

        if (result.Password is not null && result.User is null)
        {
            map.Error(Password.Name, "a password needs a user");
        }

        map.ReportUnknownKeys();
        return result;
    }

    public override IAgentComponent? Create(InfluxOptions? options, AgentContext context) =>
        options is null ? null : new InfluxComponent(options);
}
