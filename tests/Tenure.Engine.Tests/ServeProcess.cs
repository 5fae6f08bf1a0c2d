using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Tenure.Engine.Tests;

/// <summary>One <c>tenure serve</c> process on a free loopback port over a SQLite file, its output collected.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly bool _ownsFile;

    private ServeProcess(Process process, Uri address, string dbFile, string operatorKey, bool ownsFile)
    {
        _process = process;
        Address = address;
        DbFile = dbFile;
        _ownsFile = ownsFile;
        Operator = Client(operatorKey);
    }

    public Uri Address { get; }

    public string DbFile { get; }

    /// <summary>A client with the operator key.</summary>
    public HttpClient Operator { get; }

    /// <summary>
    /// Starts serve on <paramref name="dbFile"/> (a new file, deleted with the process, when null) and waits until
    /// it answers <c>/healthz</c>. The rate limit is raised so that tests are not throttled. The port is probed free
    /// first, so another test's server can take it in between: then this one cannot listen, and it starts again on
    /// another port (a healthy answer counts only once this process said it listens there).
    /// </summary>
    public static async Task<ServeProcess> Start(
        string operatorKey, string? dbFile = null, params (string Name, string Value)[] environment)
    {
        var file = dbFile ?? Fixtures.SqliteFile();
        for (var attempt = 1; ; attempt++)
        {
            var served = Launch(operatorKey, file, ownsFile: dbFile is null, environment);
            try
            {
                if (await served.WaitHealthy()) return served;
            }
            catch (Exception)
            {
                served.Dispose(); // no server left running behind a failed start
                throw;
            }

            served.Dispose(ownsFile: false);
            if (attempt == 3) throw new InvalidOperationException($"serve found no free port in 3 attempts: {served.Log}");
        }
    }

    private static ServeProcess Launch(string operatorKey, string file, bool ownsFile, (string Name, string Value)[] environment)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var url = new Uri($"http://127.0.0.1:{port}");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "tenure.dll"), "serve", "--db", file, "--urls", url.ToString() })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["Tenure__OperatorKey"] = operatorKey;
        info.Environment["Tenure__RateLimit__PerSecond"] = "100000";
        info.Environment["Tenure__RateLimit__Burst"] = "100000";
        foreach (var (name, value) in environment) info.Environment[name] = value;
        var served = new ServeProcess(Process.Start(info)!, url, file, operatorKey, ownsFile);
        served._process.OutputDataReceived += (_, e) => { if (e.Data is not null) served._output.Enqueue(e.Data); };
        served._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) served._output.Enqueue(e.Data); };
        served._process.BeginOutputReadLine();
        served._process.BeginErrorReadLine();
        return served;
    }

    /// <summary>Everything the server has written so far, line by line.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    public HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A JSON POST with the operator key.</summary>
    public async Task<HttpResponseMessage> Post(string path, string json, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Operator.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>SIGKILL: no shutdown, no flush, no finally.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Stops the server with SIGTERM, so that the console logger flushes, and returns everything it wrote.</summary>
    public async Task<string> Stop()
    {
        using (var term = Process.Start("kill", $"-TERM {_process.Id}"))
        {
            await term!.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        Assert.True(_process.WaitForExit(15_000), "serve did not stop on SIGTERM");
        _process.WaitForExit(); // and the redirected output is read to its end
        return string.Join('\n', _output);
    }

    public void Dispose() => Dispose(_ownsFile);

    private void Dispose(bool ownsFile)
    {
        Kill(); // a test that failed before Stop
        _process.Dispose();
        Operator.Dispose();
        if (ownsFile) Storage.Database.DeleteSqliteFiles(DbFile);
    }

    private string Log => string.Join('\n', _output);

    /// <summary>Whether this process said it listens on its address (Kestrel's line, plain or JSON).</summary>
    private bool Listening()
    {
        var address = Address.ToString().TrimEnd('/');
        return _output.Any(line =>
            line.Contains("Now listening on", StringComparison.Ordinal) && line.Contains(address, StringComparison.Ordinal));
    }

    /// <summary>True once this process listens and answers /healthz; false when it could not take its port.</summary>
    private async Task<bool> WaitHealthy()
    {
        var health = new Uri("/healthz", UriKind.Relative);
        // A wait, not a speed check: on a loaded machine (two cores, other suites beside it) a start can take long.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                if (Log.Contains("address already in use", StringComparison.OrdinalIgnoreCase)) return false;
                Assert.Fail($"serve exited: {Log}");
            }

            try
            {
                // Another test's server may answer on this port until this one listens; only this one's answer counts.
                using var answer = await Operator.GetAsync(health, TestContext.Current.CancellationToken);
                if (answer.IsSuccessStatusCode && Listening()) return true;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"serve did not answer /healthz in 60 s: {Log}");
    }
}
