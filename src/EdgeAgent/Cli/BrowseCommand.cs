using System.CommandLine;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent browse URL [--node ID] [--depth N]</c>: prints what a server offers (an OPC UA server's node tree), so an
/// engineer can pick the tags. The URL's scheme picks the driver offering the browse capability
/// (<see cref="IBrowseCapability"/>). Exit 0 on success, 1 when the server cannot be reached or browsed, 2 for bad arguments.
/// </summary>
internal static class BrowseCommand
{
    public static Command Build()
    {
        var browsers = Plugins.Capable<IBrowseCapability>().ToList();
        var url = new Argument<string>("url") { Description = "The server endpoint: " + string.Join(", ", browsers.Select(b => b.BrowseUsage)) + "." };
        var options = new CapabilityOptions(browsers.Select(b => b.BrowseOptions));
        var command = new Command("browse", "List an OPC UA server's nodes as a tree (browse name, node id, class, data type and value).") { url };
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var endpoint = parse.GetValue(url)!;
            var scheme = CapabilityOptions.SchemeOf(endpoint);
            var browser = browsers.Find(b => b.BrowseSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase));
            if (browser is null)
            {
                parse.InvocationConfiguration.Error.WriteLine($"browse: expected {string.Join(" or ", browsers.Select(b => b.BrowseUsage))}, found '{endpoint}'");
                return 2;
            }

            return await browser.BrowseAsync(endpoint, options.Read(parse), new CommandConsole(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error), ct);
        });
        return command;
    }
}
