using YamlDotNet.Core;

namespace EdgeAgent.Config;

/// <summary>Collects every error of one load so that `validate` reports all of them, not the first.</summary>
public sealed class ConfigErrors
{
    private readonly List<ConfigError> _errors = new();
    private readonly List<ConfigError> _warnings = new();

    public ConfigErrors(string file) => File = file;

    public string File { get; }
    public IReadOnlyList<ConfigError> Errors => _errors;
    public IReadOnlyList<ConfigError> Warnings => _warnings;
    public bool HasErrors => _errors.Count > 0;

    public void Add(Mark at, string message) => Add((int)at.Line, (int)at.Column, message);

    public void Add(int line, int column, string message)
    {
        var error = new ConfigError(File, Math.Max(1, line), Math.Max(1, column), message);
        if (!_errors.Contains(error))
        {
            _errors.Add(error);
        }
    }

    public void Warn(Mark at, string message) =>
        _warnings.Add(new ConfigError(File, Math.Max(1, (int)at.Line), Math.Max(1, (int)at.Column), "warning: " + message));

    /// <summary>Errors in file order, so the output reads top to bottom.</summary>
    public IEnumerable<ConfigError> Sorted() =>
        _errors.OrderBy(e => e.Line).ThenBy(e => e.Column);
}
