using System.CommandLine;
using EdgeAgent.Hosting;
using EdgeAgent.Pipeline;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent probe URL …</c> — commissioning: how fast does a device answer, what does a server deliver? The URL's
/// scheme picks the driver offering the probe capability (<see cref="IProbeCapability"/>); each driver declares its own
/// options and prints one JSON summary line. Exit 0 when every request succeeded, 1 when some failed, 2 for bad arguments.
/// </summary>
internal static class ProbeCommand
{
    public static Command Build()
    {
        var probes = Plugins.Capable<IProbeCapability>().ToList();
        var url = new Argument<string>("url") { Description = string.Join(", ", probes.Select(p => p.ProbeUsage)) };
        var options = new CapabilityOptions(probes.Select(p => p.ProbeOptions));
        var command = new Command("probe", "Measure how fast a device answers: N reads, one JSON summary line (requests, errors, rps, latency percentiles).") { url };
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var target = parse.GetValue(url)!;
            var scheme = CapabilityOptions.SchemeOf(target);
            var probe = probes.Find(p => p.ProbeSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase));
            if (probe is null)
            {
                parse.InvocationConfiguration.Error.WriteLine($"probe: unsupported URL '{target}'; expected {string.Join(" or ", probes.Select(p => p.ProbeUsage))}");
                return 2;
            }

            return await probe.ProbeAsync(target, options.Read(parse), new CommandConsole(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error), ct);
        });
        return command;
    }
}
