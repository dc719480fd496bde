using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace EdgeAgent.Drivers.OpcUa.Tests.Peer;

/// <summary>
/// A loopback TCP relay in front of the server that, once <see cref="TamperNextMessage"/> is called, flips one bit
/// in the last byte (the signature) of the next MSG chunk the server sends. It reads whole UA TCP chunks (8-byte
/// header with the size) so it always knows where a chunk ends.
/// </summary>
public sealed class TamperingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _serverPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Task _accept;
    private volatile bool _tamper;

    public TamperingProxy(int serverPort)
    {
        _serverPort = serverPort;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public string EndpointUrl => $"opc.tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/UA/EdgeAgentTest";

    public int Tampered { get; private set; }

    public void TamperNextMessage() => _tamper = true;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var server = new TcpClient();
                await server.ConnectAsync(IPAddress.Loopback, _serverPort, _stop.Token);
                lock (_connections)
                {
                    _connections.Add(client);
                    _connections.Add(server);
                }

                _ = RelayAsync(client.GetStream(), server.GetStream(), tamper: false);
                _ = RelayAsync(server.GetStream(), client.GetStream(), tamper: true);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(NetworkStream from, NetworkStream to, bool tamper)
    {
        var header = new byte[8];
        try
        {
            while (true)
            {
                await from.ReadExactlyAsync(header, _stop.Token);
                var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
                var chunk = new byte[size];
                header.CopyTo(chunk, 0);
                await from.ReadExactlyAsync(chunk.AsMemory(8), _stop.Token);
                if (tamper && _tamper && chunk[0] == 'M' && chunk[1] == 'S' && chunk[2] == 'G')
                {
                    _tamper = false;
                    chunk[^1] ^= 0x01;
                    Tampered++;
                }

                await to.WriteAsync(chunk, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or EndOfStreamException)
        {
            to.Socket.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var c in _connections)
            {
                c.Dispose();
            }
        }

        await _accept;
        _stop.Dispose();
    }
}
