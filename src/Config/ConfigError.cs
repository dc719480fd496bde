namespace EdgeAgent.Config;

/// <summary>One configuration error, printed as <c>FILE:LINE:COL: message</c> (1-based line and column).</summary>
public readonly record struct ConfigError(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
