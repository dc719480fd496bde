using System.CommandLine;
using EdgeAgent.Hosting;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent schema [--output FILE]</c>: prints the JSON Schema of the configuration, generated from every component's
/// key declarations. config/edgeagent.schema.json is this output, committed for editors.
/// </summary>
internal static class SchemaCommand
{
    public static Command Build()
    {
        var output = new Option<FileInfo>("--output", "-o") { Description = "Write the schema to this file instead of standard output." };
        var command = new Command("schema", "Print the JSON Schema of the YAML configuration (for editors: config/edgeagent.schema.json).") { output };
        command.SetAction(parse =>
        {
            var text = ConfigSchema.Generate();
            if (parse.GetValue(output) is { } file)
            {
                File.WriteAllText(file.FullName, text);
            }
            else
            {
                Console.Out.Write(text);
            }

            return 0;
        });
        return command;
    }
}
