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
        var server = new MqttServerFactory().CreateMqttServer(options);
        server.ValidatingConnectionAsync += e =>
        {
            // mosquitto_sub and other tools connect with an empty client id (MQTT 3.1.1 §3.1.3.1 allows it with a clean
            // session; MQTT 5 lets the server assign one). Give them one instead of refusing the watcher of the demo.
            if (string.IsNullOrEmpty(e.ClientId))
            {
                e.AssignedClientIdentifier = "anon-" + Guid.NewGuid().ToString("N")[..12];
                e.ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.Success;
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
        LogStarted(logger, endpoint.ToString());
        return new EmbeddedBroker(server, endpoint, logger);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync().ConfigureAwait(false);
        _server.Dispose();
        LogStopped(_logger);
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "No outputs.mqtt configured: embedded MQTT broker listening on {Endpoint} (watch with: mosquitto_sub -h 127.0.0.1 -t '#' -v -i watcher)")]
    private static partial void LogStarted(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "Embedded MQTT broker not started: {Address}:{Port} is already in use; publishing to the broker listening there")]
    private static partial void LogPortTaken(ILogger logger, string address, int port);

    [LoggerMessage(EventId = 312, Level = LogLevel.Information, Message = "Embedded MQTT broker stopped")]
    private static partial void LogStopped(ILogger logger);
}
