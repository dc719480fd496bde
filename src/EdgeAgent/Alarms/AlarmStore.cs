using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeAgent.Alarms;

/// <summary>One alarm as persisted in <c>{agent.data}/alarms.json</c> and listed by <c>edgeagent alarm list</c>.</summary>
public sealed record AlarmRecord
{
    public required string Id { get; init; }
    public string Priority { get; set; } = "medium";
    public string Source { get; set; } = string.Empty;
    public string? Characteristic { get; set; }
    public string? Rule { get; set; }
    public string? Message { get; set; }
    public double? Value { get; set; }

    /// <summary>Context tags read at activation: name → number, text or null (Bad quality).</summary>
    public Dictionary<string, JsonElement> Context { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The condition is present (active); false: returned to normal but still unacknowledged.</summary>
    public bool Active { get; set; }

    public bool Acknowledged { get; set; }
    public DateTime ActivatedAt { get; set; }
    public DateTime? ClearedAt { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    public string? By { get; set; }
    public string? Comment { get; set; }

    /// <summary>Suppressed by an operator until this time (ISA-18.2 shelving): not announced while shelved.</summary>
    public DateTime? ShelvedUntil { get; set; }

    /// <summary>The activation happened while shelved and has not been announced yet.</summary>
    public bool Unannounced { get; set; }

    /// <summary>ISA-18.2 state name: unack-active, ack-active, rtn-unack.</summary>
    [JsonIgnore]
    public string State => Active ? (Acknowledged ? "acknowledged" : "active") : "returned-unacknowledged";
}

/// <summary>An operator request dropped by the CLI into <c>{agent.data}/alarm-requests/</c> for the running agent.</summary>
public sealed record AlarmRequest
{
    /// <summary><c>ack</c>, <c>shelve</c> or <c>unshelve</c>.</summary>
    public string Action { get; init; } = "ack";
    public required string Id { get; init; }
    public string? By { get; init; }
    public string? Comment { get; init; }

    /// <summary>Shelve duration in seconds.</summary>
    public double? Seconds { get; init; }
}

public sealed record AlarmFile
{
    public int Version { get; init; } = 1;
    public List<AlarmRecord> Alarms { get; init; } = [];

    /// <summary>Shelved alarm ids (also those not active now) → until.</summary>
    public Dictionary<string, DateTime> Shelved { get; init; } = new(StringComparer.Ordinal);
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AlarmFile))]
[JsonSerializable(typeof(AlarmRequest))]
internal sealed partial class AlarmJson : JsonSerializerContext;

/// <summary>
/// The persisted alarm state: <c>{agent.data}/alarms.json</c>, written atomically (temp file + rename) so a crash never
/// leaves half a file. A file that cannot be parsed is moved aside (<c>alarms.json.bad</c>) rather than crashing the agent.
/// </summary>
public static class AlarmStore
{
    public const string FileName = "alarms.json";
    public const string RequestFolder = "alarm-requests";

    public static string PathIn(string dataDir) => Path.Combine(dataDir, FileName);

    public static AlarmFile Load(string dataDir)
    {
        var path = PathIn(dataDir);
        if (!File.Exists(path))
        {
            return new AlarmFile();
        }

        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, AlarmJson.Default.AlarmFile) ?? new AlarmFile();
        }
        catch (JsonException)
        {
            File.Move(path, path + ".bad", overwrite: true);
            return new AlarmFile();
        }
    }

    public static void Save(string dataDir, AlarmFile file)
    {
        Directory.CreateDirectory(dataDir);
        var path = PathIn(dataDir);
        var temp = path + "." + Environment.ProcessId + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, file, AlarmJson.Default.AlarmFile);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Drops a request for the running agent (picked up within a second).</summary>
    public static string Enqueue(string dataDir, AlarmRequest request)
    {
        var folder = Path.Combine(dataDir, RequestFolder);
        Directory.CreateDirectory(folder);
        var name = $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.json";
        var temp = Path.Combine(folder, name + ".tmp");
        File.WriteAllText(temp, JsonSerializer.Serialize(request, AlarmJson.Default.AlarmRequest));
        var path = Path.Combine(folder, name);
        File.Move(temp, path);
        return path;
    }

    /// <summary>
    /// Takes the pending requests (oldest first), deleting their files. A file that is not a readable request is
    /// deleted too (not retried forever) and handed to <paramref name="unreadable"/> with the reason.
    /// </summary>
    public static List<AlarmRequest> Dequeue(string dataDir, Action<string, Exception> unreadable)
    {
        var result = new List<AlarmRequest>();
        var folder = Path.Combine(dataDir, RequestFolder);
        if (!Directory.Exists(folder))
        {
            return result;
        }

        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            try
            {
                var request = JsonSerializer.Deserialize(File.ReadAllText(file), AlarmJson.Default.AlarmRequest)
                    ?? throw new JsonException("the file holds JSON null, not a request");
                result.Add(request);
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                unreadable(file, ex);
            }

            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
        }

        return result;
    }

    public static JsonElement ToJson(object? value) => value switch
    {
        null => JsonSerializer.SerializeToElement<string?>(null, AlarmJsonPrimitives.Default.String),
        double d when double.IsFinite(d) => JsonSerializer.SerializeToElement(d, AlarmJsonPrimitives.Default.Double),
        double => JsonSerializer.SerializeToElement<string?>(null, AlarmJsonPrimitives.Default.String),
        string s => JsonSerializer.SerializeToElement(s, AlarmJsonPrimitives.Default.String),
        _ => JsonSerializer.SerializeToElement(value.ToString(), AlarmJsonPrimitives.Default.String),
    };

    public static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}

[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string))]
internal sealed partial class AlarmJsonPrimitives : JsonSerializerContext;
