namespace EdgeAgent.Pipeline;

/// <summary>A tag read when an alarm activates and carried in its <c>context</c> (part serial, batch, operator, recipe).</summary>
public readonly record struct ContextTag(string Name, int TagId);
