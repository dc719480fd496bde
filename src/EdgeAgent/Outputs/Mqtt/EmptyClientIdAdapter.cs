using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// The embedded broker's TCP listener, with one change: an MQTT 3.1.1 CONNECT with an empty client id and a clean session
/// gets a client id assigned by the server before MQTTnet validates it.
/// </summary>
/// <remarks>
/// MQTT 3.1.1 §3.1.3.1: "A Server MAY allow a Client to supply a ClientId that has a length of zero bytes, however if it
/// does so the Server MUST treat this as a special case and assign a unique ClientId to that Client" [MQTT-3.1.3-6], and only
/// with CleanSession = 1 [MQTT-3.1.3-7, -8]. mosquitto, EMQX and HiveMQ do so, and <c>mosquitto_sub</c> without <c>-i</c>
/// relies on it. MQTTnet.Server assigns an id only for MQTT 5 (<see cref="ValidatingConnectionEventArgs.AssignedClientIdentifier"/>)
/// and refuses an empty one on 3.1.1 with "identifier rejected" after the validation event; its supported extension point
/// ahead of that check is the server adapter (<see cref="IMqttServerAdapter.ClientHandler"/>), which hands each accepted
/// connection to the server as an <see cref="IMqttChannelAdapter"/>. This adapter wraps the stock TCP adapter and gives the
/// server channels whose first packet, a CONNECT, carries the assigned id. Without clean session the empty id is passed on
/// unchanged, and MQTTnet answers it with "identifier rejected" as the specification requires.
/// </remarks>
internal sealed class EmptyClientIdAdapter : IMqttServerAdapter
{
    private readonly IMqttServerAdapter _inner;
    private readonly Func<string> _newClientId;

    public EmptyClientIdAdapter(IMqttServerAdapter inner, Func<string> newClientId)
    {
        _inner = inner;
        _newClientId = newClientId;
        _inner.ClientHandler = channel => ClientHandler is { } handler ? handler(new Channel(channel, _newClientId)) : Task.CompletedTask;
    }

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, MQTTnet.Diagnostics.Logger.IMqttNetLogger logger) => _inner.StartAsync(options, logger);

    public Task StopAsync() => _inner.StopAsync();

    public void Dispose() => _inner.Dispose();

    /// <summary>The accepted connection, passed through except for the id of a 3.1.1 clean-session CONNECT without one.</summary>
    private sealed class Channel(IMqttChannelAdapter inner, Func<string> newClientId) : IMqttChannelAdapter
    {
        private bool _connectSeen;

        public long BytesReceived => inner.BytesReceived;
        public long BytesSent => inner.BytesSent;
        public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate => inner.ClientCertificate;
        public bool IsSecureConnection => inner.IsSecureConnection;
        public System.Net.EndPoint? LocalEndPoint => inner.LocalEndPoint;
        public System.Net.EndPoint? RemoteEndPoint => inner.RemoteEndPoint;
        public MqttPacketFormatterAdapter PacketFormatterAdapter => inner.PacketFormatterAdapter;

        public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);
        public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);
        public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => inner.SendPacketAsync(packet, cancellationToken);
        public void ResetStatistics() => inner.ResetStatistics();
        public void Dispose() => inner.Dispose();

        public async Task<MqttPacket?> ReceivePacketAsync(CancellationToken cancellationToken)
        {
            var packet = await inner.ReceivePacketAsync(cancellationToken).ConfigureAwait(false);
            if (!_connectSeen && packet is MqttConnectPacket connect)
            {
                _connectSeen = true;
                if (string.IsNullOrEmpty(connect.ClientId) && connect.CleanSession
                    && inner.PacketFormatterAdapter.ProtocolVersion == MqttProtocolVersion.V311)
                {
                    connect.ClientId = newClientId();
                }
            }

            return packet;
        }
    }
}
