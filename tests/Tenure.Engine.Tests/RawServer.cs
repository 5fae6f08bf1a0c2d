using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tenure.Engine.Tests;

/// <summary>
/// A real TCP server on loopback that reads each request's head and then does what a hostile receiver does: never
/// answer, answer with a fixed head (a redirect), or stream an endless body. It counts connections and bytes sent.
/// </summary>
internal sealed class RawServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string? _head;
    private readonly bool _endlessBody;
    private readonly Task _loop;
    private long _bytesSent;
    private int _connections;

    private RawServer(string? head, bool endlessBody)
    {
        _head = head;
        _endlessBody = endlessBody;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook";
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Accepts and reads, and never answers.</summary>
    public static RawServer Silent() => new(null, false);

    /// <summary>Answers every request with <paramref name="head"/> (status line and headers) and no body.</summary>
    public static RawServer Answering(string head) => new(head, false);

    /// <summary>Answers 200 with a body of 300 MB that it streams for as long as the client reads.</summary>
    public static RawServer Endless() => new("HTTP/1.1 200 OK\r\nContent-Length: 300000000\r\nContent-Type: text/plain\r\n\r\n", true);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _ = _loop.Exception;
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                await ReadHeadAsync(stream);
                if (_head is null)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }

                await stream.WriteAsync(Encoding.ASCII.GetBytes(_head), _stop.Token);
                if (!_endlessBody) return;
                var chunk = new byte[64 * 1024];
                while (!_stop.IsCancellationRequested)
                {
                    await stream.WriteAsync(chunk, _stop.Token);
                    Interlocked.Add(ref _bytesSent, chunk.Length);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The client hung up (as it should, after what it will read) or the test is over.
            }
        }
    }

    private async Task ReadHeadAsync(NetworkStream stream)
    {
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0) return;
            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }
}
