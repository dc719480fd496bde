using System.Globalization;
using System.Text.Json;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Writes;

/// <summary>
/// A PLC played by the node-opcua test server (tests/peers/opcua/server.js, its Loop folder) with node-opcua-client
/// beside it (<see cref="NodeOpcUaReader"/>): <see cref="ReadAsync"/> is the machine's side, not the agent's read-back.
/// </summary>
internal sealed class UaServer : IAsyncDisposable
{
    private readonly ChildProcess _server;
    private NodeOpcUaReader? _reader;

    private UaServer(ChildProcess server, int port)
    {
        _server = server;
        EndpointUrl = $"opc.tcp://127.0.0.1:{port}/UA/EdgeAgentTest";
    }

    public string EndpointUrl { get; }

    public static async Task<UaServer> StartAsync()
    {
        var peers = Repo.PathOf("tests", "peers");
        if (!Directory.Exists(Path.Combine(peers, "node_modules", "node-opcua-server")))
        {
            throw new InvalidOperationException("the OPC UA test peer is not installed: run tests/peers/install.sh");
        }

        var port = ChildProcess.FreeTcpPort();
        var server = new UaServer(new ChildProcess("node", ["opcua/server.js", "--port", port.ToString(CultureInfo.InvariantCulture), "--big", "10"], peers), port);
        try
        {
            await server._server.WaitForLineAsync("ready", TimeSpan.FromSeconds(120));
            server._reader = await NodeOpcUaReader.StartAsync(peers, server.EndpointUrl);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>What the server holds at <paramref name="node"/>: <c>{"node","value","dataType","statusCode"}</c>.</summary>
    public Task<JsonElement> ReadAsync(string node) => _reader!.ReadAsync(node);

    public async ValueTask DisposeAsync()
    {
        if (_reader is not null)
        {
            await _reader.DisposeAsync();
        }

        await _server.DisposeAsync();
    }
}
