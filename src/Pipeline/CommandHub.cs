namespace EdgeAgent.Pipeline;

/// <summary>
/// Commands coming into the agent (MQTT <c>{site}/edge/{id}/cmd/{path}</c>, the CLI, tests). Components register a handler
/// per path (<c>alarm/ack</c>, <c>rebirth</c>, <c>limits</c>); a sink that receives commands calls <see cref="DispatchAsync"/>.
/// </summary>
public sealed class CommandHub
{
    private readonly Dictionary<string, Func<ReadOnlyMemory<byte>, CancellationToken, Task<CommandResult>>> _handlers = new(StringComparer.Ordinal);

    public void Register(string path, Func<ReadOnlyMemory<byte>, CancellationToken, Task<CommandResult>> handler)
    {
        lock (_handlers)
        {
            _handlers[path] = handler;
        }
    }

    public IReadOnlyCollection<string> Paths
    {
        get
        {
            lock (_handlers)
            {
                return _handlers.Keys.ToArray();
            }
        }
    }

    public async Task<CommandResult> DispatchAsync(string path, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        Func<ReadOnlyMemory<byte>, CancellationToken, Task<CommandResult>>? handler;
        lock (_handlers)
        {
            _handlers.TryGetValue(path, out handler);
        }

        if (handler is null)
        {
            return CommandResult.Fail($"unknown command '{path}'");
        }

        try
        {
            return await handler(payload, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return CommandResult.Fail(ex.Message);
        }
    }
}
