namespace EdgeAgent.Config;

/// <summary>Thrown by the loader when a file has errors; carries all of them.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(string.Join(Environment.NewLine, errors)) => Errors = errors;

    public IReadOnlyList<ConfigError> Errors { get; }
}
