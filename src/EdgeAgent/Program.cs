using EdgeAgent.Cli;

namespace EdgeAgent;

internal static class Program
{
    private static Task<int> Main(string[] args) => Commands.Run(args);
}
