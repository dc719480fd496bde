using System.Text.Json.Nodes;

namespace EdgeAgent.Tests.Support;

/// <summary>Reading a Grafana dashboard JSON as Grafana does: its panels, a target's datasource and query, template variables.</summary>
internal static class GrafanaDashboard
{
    /// <summary>A datasource reference of the given plugin type, or the uid our provisioning gives it.</summary>
    public static bool IsDatasource(JsonNode? datasource, string type, string uid) =>
        datasource is JsonObject ds && ((string?)ds["type"] == type || (string?)ds["uid"] == uid);

    /// <summary>A variable's query: a string, or an object with a <c>query</c> member (newer dashboards).</summary>
    public static string Query(JsonNode? query) => query is JsonObject o ? (string)o["query"]! : (string)query!;

    /// <summary>Every panel, the panels kept inside collapsed rows included.</summary>
    public static IEnumerable<JsonObject> Panels(JsonObject dashboard)
    {
        foreach (var panel in dashboard["panels"]?.AsArray() ?? [])
        {
            yield return panel!.AsObject();
            foreach (var inner in panel["panels"]?.AsArray() ?? [])
            {
                yield return inner!.AsObject();
            }
        }
    }

    /// <summary>Grafana's <c>$name</c> and <c>${name}</c>, longest names first (so $__interval_ms is not read as $__interval); none may remain.</summary>
    public static string Substitute(string query, Dictionary<string, string> values)
    {
        foreach (var (key, value) in values.OrderByDescending(kv => kv.Key.Length))
        {
            query = query.Replace("${" + key + "}", value, StringComparison.Ordinal).Replace("$" + key, value, StringComparison.Ordinal);
        }

        Assert.DoesNotMatch(@"\$\w", query);
        return query;
    }
}
