namespace EdgeAgent.Pipeline;

/// <summary><c>edgeagent browse URL [--node ID]</c> for a driver: list what a server offers, to pick tags from.</summary>
public interface IBrowseCapability
{
    IReadOnlyList<string> BrowseSchemes { get; }

    string BrowseUsage { get; }

    IReadOnlyList<CommandOption> BrowseOptions { get; }

    Task<int> BrowseAsync(string url, CommandArguments arguments, CommandConsole console, CancellationToken cancellationToken);
}
