using System.Text.Json;
using EdgeAgent.Config;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Writes;

/// <summary>
/// The <c>write</c> command (<c>{"tag":"press1.quality_hold","value":0,"by":"qa","timeout":"10s"}</c>) over the agent's
/// <see cref="ITagWriter"/>. No YAML section of its own: tags opt in with <c>writable: true</c>, alarms with <c>actions:</c>,
/// and a command channel decides whether remote writes are allowed (MQTT: <c>outputs.mqtt.commands.write</c>).
/// </summary>
public sealed class WritesPlugin : ComponentPlugin<object>
{
    public override string? Section => null;

    public override Key? Key => null;

    public override object? Bind(ConfigMap? parent, BindingContext context) => null;

    public override IAgentComponent Create(object? options, AgentContext context) => new WritesComponent();
}

/// <summary>Registers the <c>write</c> command.</summary>
public sealed class WritesComponent : IAgentComponent
{
    public const string CommandPath = "write";

    public void Register(AgentContext context)
    {
        var writes = context.Writes;
        context.Commands.Register(CommandPath, async (payload, ct) =>
        {
            if (!TryParse(payload, out var request, out var error))
            {
                return CommandResult.Fail(error);
            }

            var done = await writes.WriteAsync(request.Tag, request.Value, request.By, request.Timeout, ct).ConfigureAwait(false);
            return done.Ok ? CommandResult.Success : CommandResult.Fail($"{done.Status.ToString().ToLowerInvariant()}: {done.Error}");
        });
    }

    /// <summary>A write request: tag, number (or true/false), by (default "remote"), optional timeout as a duration.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> payload, out (string Tag, double Value, string By, TimeSpan? Timeout) request, out string error)
    {
        const string Shape = "expected {\"tag\":\"source.tag\",\"value\":number,\"by\":\"who\"}";
        request = default;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"write: {Shape}, found {root.ValueKind}";
                return false;
            }

            if (!root.TryGetProperty("tag", out var tag) || tag.ValueKind != JsonValueKind.String || tag.GetString() is not { Length: > 0 } name)
            {
                error = $"write: {Shape}; 'tag' is missing";
                return false;
            }

            double value;
            if (!root.TryGetProperty("value", out var v))
            {
                error = $"write: {Shape}; 'value' is missing";
                return false;
            }

            switch (v.ValueKind)
            {
                case JsonValueKind.Number when v.TryGetDouble(out value) && double.IsFinite(value):
                    break;
                case JsonValueKind.True:
                    value = 1;
                    break;
                case JsonValueKind.False:
                    value = 0;
                    break;
                default:
                    error = $"write: 'value' must be a number (or true/false), found {v.GetRawText()}";
                    return false;
            }

            var by = root.TryGetProperty("by", out var b) && b.ValueKind == JsonValueKind.String && b.GetString() is { Length: > 0 } who ? who : "remote";
            TimeSpan? timeout = null;
            if (root.TryGetProperty("timeout", out var t))
            {
                if (t.ValueKind != JsonValueKind.String || !Durations.TryParse(t.GetString()!, out var parsed) || parsed < TimeSpan.FromMilliseconds(100) || parsed > TimeSpan.FromMinutes(5))
                {
                    error = $"write: 'timeout' must be a duration from 100ms to 5m such as \"10s\", found {t.GetRawText()}";
                    return false;
                }

                timeout = parsed;
            }

            request = (name, value, by, timeout);
            error = string.Empty;
            return true;
        }
        catch (JsonException ex)
        {
            error = $"write: payload is not JSON: {ex.Message}";
            return false;
        }
    }
}
