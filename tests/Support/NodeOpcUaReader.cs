using System.Diagnostics;
using System.Text.Json;

namespace EdgeAgent.Testing;

/// <summary>
/// An independent OPC UA client (node-opcua-client, tests/peers/opcua/read.js) with one session open for the test: what a
/// server holds after the agent wrote, seen by another stack than the one under test. Shared as source by the test
/// projects that need it; a missing peer fails with how to install it.
/// </summary>
public sealed class NodeOpcUaReader : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _one = new(1, 1);

    private NodeOpcUaReader(Process process) => _process = process;

    /// <param name="peers">The tests/peers folder (node_modules with node-opcua-client).</param>
    public static async Task<NodeOpcUaReader> StartAsync(string peers, string endpointUrl)
    {
        if (!Directory.Exists(Path.Combine(peers, "node_modules", "node-opcua-client")))
        {
            throw new InvalidOperationException($"node-opcua-client is not installed: run tests/peers/install.sh (needs {Path.Combine(peers, "node_modules", "node-opcua-client")})");
        }

        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = peers,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine("opcua", "read.js"));
        info.ArgumentList.Add(endpointUrl);
        var reader = new NodeOpcUaReader(Process.Start(info) ?? throw new InvalidOperationException("node did not start"));
        var stderr = reader._process.StandardError.ReadToEndAsync();
        try
        {
            if (await reader.NextLineAsync(l => l == "ready", TimeSpan.FromSeconds(120)) is null)
            {
                throw new InvalidOperationException($"read.js ended before it was ready: {await stderr}");
            }
        }
        catch
        {
            await reader.DisposeAsync();
            throw;
        }

        return reader;
    }

    /// <summary>The node's value as node-opcua reads it: <c>{"node","value","dataType","statusCode"}</c>.</summary>
    public async Task<JsonElement> ReadAsync(string nodeId)
    {
        await _one.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(nodeId);
            await _process.StandardInput.FlushAsync();
            var line = await NextLineAsync(l => l.StartsWith('{'), TimeSpan.FromSeconds(60)) ?? throw new InvalidOperationException("read.js ended");
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.Clone();
        }
        finally
        {
            _one.Release();
        }
    }

    /// <summary>The next stdout line that <paramref name="wanted"/> accepts (node-opcua prints its warnings there too).</summary>
    private async Task<string?> NextLineAsync(Func<string, bool> wanted, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (await _process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            if (wanted(line))
            {
                return line;
            }
        }

        return null;
    }

    /// <summary>Closes stdin so read.js closes its session (a killed client would hold it on the server until it times out).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.StandardInput.Close();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception e) when (e is TimeoutException or IOException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        _one.Dispose();
    }
}
