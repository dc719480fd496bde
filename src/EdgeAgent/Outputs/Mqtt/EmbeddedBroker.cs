using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// The broker the agent starts when <c>outputs.mqtt</c> is omitted (or <c>embedded: true</c>), so the demo is live on a
/// bare machine: MQTTnet.Server on the configured loopback address and port (default 127.0.0.1:1883).
/// </summary>
public sealed partial class EmbeddedBroker : IAsyncDisposable
{
    private readonly MqttServer _server;
    private readonly ILogger _logger;

    private EmbeddedBroker(MqttServer server, IPEndPoint endpoint, ILogger logger)
    {
        _server = server;
        Endpoint = endpoint;
        _logger = logger;
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>Starts the broker, or returns null (with one log line) when the port is taken: then the agent publishes to whoever listens there.</summary>
    public static async Task<EmbeddedBroker?> StartAsync(Uri broker, ILogger logger, CancellationToken cancellationToken)
    {
        var address = broker.Host is "localhost" or "" ? IPAddress.Loopback : IPAddress.Parse(broker.Host);
        var port = broker.Port > 0 ? broker.Port : 1883;
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(address)
            .WithDefaultEndpointPort(port)
            .WithPersistentSessions()
            .Build();
        // An empty client id with a clean session is accepted and given one, as mosquitto does: MQTT 3.1.1 §3.1.3.1 lets the
        // server assign it (the adapter below does, ahead of MQTTnet's check), and MQTT 5 §3.1.3.1 has the server return it
        // as the Assigned Client Identifier of the CONNACK (the validation event below).
        var adapter = new EmptyClientIdAdapter(new MQTTnet.Server.Internal.Adapter.MqttTcpServerAdapter(), NewClientId);
        var server = new MqttServerFactory().CreateMqttServer(options, [adapter]);
        server.ValidatingConnectionAsync += e =>
        {
            if (string.IsNullOrEmpty(e.ClientId) && e.ProtocolVersion == MQTTnet.Formatter.MqttProtocolVersion.V500)
            {
                e.AssignedClientIdentifier = NewClientId();
            }

            return Task.CompletedTask;
        };
        try
        {
            await server.StartAsync().ConfigureAwait(false);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            server.Dispose();
            LogPortTaken(logger, address.ToString(), port);
            return null;
        }

        var endpoint = new IPEndPoint(address, port);
        LogStarted(logger, endpoint.ToString(), WatchCommand(address, port));
        return new EmbeddedBroker(server, endpoint, logger);
    }

    /// <summary>The command that shows everything published on this broker.</summary>
    internal static string WatchCommand(IPAddress address, int port) =>
        port == 1883 ? $"mosquitto_sub -h {address} -t '#' -v" : $"mosquitto_sub -h {address} -p {port} -t '#' -v";

    /// <summary>A client id for a client that connected without one: unique, and recognisable in the broker's client list.</summary>
    internal static string NewClientId() => "auto-" + Guid.NewGuid().ToString("N");

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync().ConfigureAwait(false);
        _server.Dispose();
        LogStopped(_logger);
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "No outputs.mqtt configured: embedded MQTT broker listening on {Endpoint} (watch with: {WatchCommand})")]
    private static partial void LogStarted(ILogger logger, string endpoint, string watchCommand);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "Embedded MQTT broker not started: {Address}:{Port} is already in use; publishing to the broker listening there")]
    private static partial void LogPortTaken(ILogger logger, string address, int port);

    [LoggerMessage(EventId = 312, Level = LogLevel.Information, Message = "Embedded MQTT broker stopped")]
    private static partial void LogStopped(ILogger logger);
}
