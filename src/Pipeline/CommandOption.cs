namespace EdgeAgent.Pipeline;

/// <summary>An option of a capability's command (<c>--unit</c>, <c>--node</c>): the CLI builds it, the capability reads its text.</summary>
public sealed record CommandOption(string Name, string Description, string? Default = null, bool IsFlag = false, params string[] Aliases);
