using System.CommandLine;
using System.Globalization;
using EdgeAgent.Cli;

namespace EdgeAgent.Tests.Support;

/// <summary>The agent's command line run in this process, its output and errors captured (no process-global console).</summary>
internal static class InProcessCli
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await Commands.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
