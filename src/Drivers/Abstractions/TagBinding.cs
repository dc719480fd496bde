namespace EdgeAgent.Drivers;

/// <summary>
/// A tag as a source sees it: the pipeline's id, its name, and the driver's own parsed options
/// (for example a Modbus address and type, an OPC UA node id). The driver casts <see cref="Options"/> to its type.
/// </summary>
public sealed record TagBinding(int Id, string Name, object? Options);
