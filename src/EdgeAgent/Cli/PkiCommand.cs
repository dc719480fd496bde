using System.CommandLine;
using System.Text.Json;
using EdgeAgent.Drivers.OpcUa.Plugin;
using EdgeAgent.Drivers.OpcUa.Security;

namespace EdgeAgent.Cli;

/// <summary>
/// <c>edgeagent pki list --config FILE</c>: the OPC UA certificate store(s) of the config's sources (security.pki, else
/// {agent.data}/pki), one JSON object per certificate: store, folder (own, trusted, rejected, issuers), file, subject,
/// thumbprint, notAfter. <c>pki trust --config FILE WHAT</c> moves a rejected certificate (thumbprint or file name) to
/// trusted/; <c>pki reject</c> moves a trusted one to rejected/. Exit 0 done, 1 no such certificate, 2 bad config.
/// </summary>
internal static class PkiCommand
{
    public static Command Build()
    {
        var command = new Command("pki", "List the OPC UA certificate store, trust a rejected server certificate, or reject a trusted one.");
        command.Subcommands.Add(BuildList());
        command.Subcommands.Add(BuildMove("trust", "Move a certificate from rejected/ to trusted/ (by thumbprint or file name).", (store, what) => store.Trust(what)));
        command.Subcommands.Add(BuildMove("reject", "Move a certificate from trusted/ to rejected/ (by thumbprint or file name).", (store, what) => store.Reject(what)));
        return command;
    }

    private static IReadOnlyList<PkiStore>? Stores(FileInfo config)
    {
        var loaded = Commands.LoadConfig(config.ToString());
        if (loaded is null)
        {
            return null;
        }

        var stores = OpcUaPlugin.CertificateStores(loaded.Sources);
        if (stores.Count == 0)
        {
            Console.Error.WriteLine($"{config}: no opcua source, so no certificate store");
            return null;
        }

        return stores;
    }

    private static Command BuildList()
    {
        var config = Commands.ConfigOption();
        var command = new Command("list", "Print every certificate of the store, one JSON object per line.") { config };
        command.SetAction(parse =>
        {
            if (Stores(parse.GetValue(config)!) is not { } stores)
            {
                return 2;
            }

            foreach (var store in stores)
            {
                foreach (var (name, folder) in new[] { ("own", Path.Combine(store.OwnFolder, "certs")), ("trusted", store.TrustedFolder), ("rejected", store.RejectedFolder), ("issuers", store.IssuersFolder) })
                {
                    foreach (var c in store.List(folder))
                    {
                        using var certificate = c.Certificate;
                        Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                        {
                            ["store"] = store.Root,
                            ["folder"] = name,
                            ["file"] = c.File,
                            ["subject"] = certificate.Subject,
                            ["thumbprint"] = certificate.Thumbprint,
                            ["notAfter"] = certificate.NotAfter.ToUniversalTime(),
                        }, CliJson.Options));
                    }
                }
            }

            return 0;
        });
        return command;
    }

    private static Command BuildMove(string name, string description, Func<PkiStore, string, string> move)
    {
        var config = Commands.ConfigOption();
        var what = new Argument<string>("certificate") { Description = "Thumbprint (as pki list prints it) or file name." };
        var command = new Command(name, description) { config, what };
        command.SetAction(parse =>
        {
            if (Stores(parse.GetValue(config)!) is not { } stores)
            {
                return 2;
            }

            var errors = new List<string>();
            foreach (var store in stores)
            {
                try
                {
                    Console.Out.WriteLine(move(store, parse.GetValue(what)!));
                    return 0;
                }
                catch (FileNotFoundException e)
                {
                    errors.Add(e.Message);
                }
            }

            foreach (var e in errors)
            {
                Console.Error.WriteLine($"pki {name}: {e}");
            }

            return 1;
        });
        return command;
    }
}
