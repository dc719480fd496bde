using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeAgent.Tests.Influx;

/// <summary>
/// A tiny HTTP/1.1 server on a free loopback port whose answers a test scripts per request (numbered from 0): a status
/// and body, or null to accept the request and never answer. Records every request's line-protocol body (un-gzipped).
/// </summary>
internal sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, (int Status, string Body)?> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _clients = new();
    private readonly Task _accept;
    private int _requests;

    public ScriptedHttpServer(Func<int, (int Status, string Body)?> script)
    {
        _script = script;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The lines of every request body that was answered 2xx, in arrival order.</summary>
    public ConcurrentQueue<string> Accepted { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _clients.Add(client);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var reader = new BufferedReader(stream);
            while (!_stop.IsCancellationRequested)
            {
                var headers = await reader.ReadHeadersAsync(_stop.Token);
                if (headers is null)
                {
                    return;
                }

                var length = 0;
                var gzip = false;
                foreach (var line in headers.Split("\r\n"))
                {
                    if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    {
                        length = int.Parse(line["Content-Length:".Length..].Trim());
                    }

                    gzip |= line.StartsWith("Content-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("gzip", StringComparison.OrdinalIgnoreCase);
                }

                var body = await reader.ReadBodyAsync(length, _stop.Token);
                var index = Interlocked.Increment(ref _requests) - 1;
                var answer = _script(index);
                if (answer is not { } a)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token); // accepted, never answered
                    return;
                }

                if (a.Status is >= 200 and < 300)
                {
                    var text = gzip ? Encoding.UTF8.GetString(Gunzip(body)) : Encoding.UTF8.GetString(body);
                    foreach (var l in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    {
                        Accepted.Enqueue(l);
                    }
                }

                var payload = Encoding.UTF8.GetBytes(a.Body);
                var head = $"HTTP/1.1 {a.Status} X\r\nContent-Type: application/json\r\nContent-Length: {payload.Length}\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(payload, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private static byte[] Gunzip(byte[] body)
    {
        using var input = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var c in _clients)
        {
            c.Dispose();
        }

        await _accept;
        _stop.Dispose();
    }

    /// <summary>Reads header blocks and bodies off one connection.</summary>
    private sealed class BufferedReader(NetworkStream stream)
    {
        private readonly byte[] _buffer = new byte[1 << 20];
        private int _start;
        private int _end;

        public async Task<string?> ReadHeadersAsync(CancellationToken token)
        {
            while (true)
            {
                var at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
                if (at >= 0)
                {
                    var text = Encoding.ASCII.GetString(_buffer, _start, at);
                    _start += at + 4;
                    return text;
                }

                if (!await FillAsync(token))
                {
                    return null;
                }
            }
        }

        public async Task<byte[]> ReadBodyAsync(int length, CancellationToken token)
        {
            while (_end - _start < length)
            {
                if (!await FillAsync(token))
                {
                    throw new IOException("connection closed in a body");
                }
            }

            var body = _buffer.AsSpan(_start, length).ToArray();
            _start += length;
            return body;
        }

        private async Task<bool> FillAsync(CancellationToken token)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var n = await stream.ReadAsync(_buffer.AsMemory(_end), token);
            _end += n;
            return n > 0;
        }
    }
}
