using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tenure.Engine.Tests;

/// <summary>A minimal real SMTP server on loopback that accepts every message and keeps it.</summary>
internal sealed class SmtpSink : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public SmtpSink()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public ConcurrentQueue<string> Messages { get; } = new();

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
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }

            using (client)
            {
                await ServeAsync(client.GetStream());
            }
        }
    }

    private async Task ServeAsync(NetworkStream stream)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 sink ESMTP");
        var data = new StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ')[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    await writer.WriteLineAsync("250-sink");
                    await writer.WriteLineAsync("250 8BITMIME");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 go ahead");
                    while (await reader.ReadLineAsync() is { } body && body != ".") data.AppendLine(body);
                    Messages.Enqueue(data.ToString());
                    data.Clear();
                    await writer.WriteLineAsync("250 queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 ok");
                    break;
            }
        }
    }
}
