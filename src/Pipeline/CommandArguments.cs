namespace EdgeAgent.Pipeline;

/// <summary>The values given for a capability's <see cref="CommandOption"/>s, by name (<c>--unit</c>), as text.</summary>
public sealed class CommandArguments(IReadOnlyDictionary<string, string?> values)
{
    public string? this[string name] => values.TryGetValue(name, out var value) ? value : null;

    public bool Flag(string name) => this[name] is "true" or "True";
}
