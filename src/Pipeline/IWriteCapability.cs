namespace EdgeAgent.Pipeline;

/// <summary>
/// A driver plug-in whose sources can write (their <see cref="Drivers.ISource"/> also implements
/// <see cref="Drivers.IWritableSource"/>). A driver without it cannot write, and a tag of it marked <c>writable: true</c>
/// is an error at load. Both checks run at load, so nothing is discovered invalid at the first write.
/// </summary>
public interface IWriteCapability
{
    /// <summary>Why this tag can never be written (a read-only table, a string), or null.</summary>
    string? WriteProblem(string driver, object? tagOptions);

    /// <summary>Why <paramref name="value"/> (an engineering value) does not fit the tag's type, or null.</summary>
    string? ValueProblem(string driver, object? tagOptions, double value);
}
