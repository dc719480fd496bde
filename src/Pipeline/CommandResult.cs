namespace EdgeAgent.Pipeline;

/// <summary>The answer to one command: ok, or the reason it was refused.</summary>
public readonly record struct CommandResult(bool Ok, string? Error)
{
    public static CommandResult Success { get; } = new(true, null);

    public static CommandResult Fail(string error) => new(false, error);
}
