using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tenure.Storage;

namespace Tenure.Bench;

/// <summary>One wrk run: requests per second achieved, latency percentiles and answers that were not 2xx.</summary>
public sealed record WrkRun(double PerSecond, double P50Ms, double P99Ms, long Requests, long Non2xx);

/// <summary>What the API arm measured; <see cref="PerSecond"/> and <see cref="PeakRssMb"/> are the renew route's rate and the server's peak RSS.</summary>
public sealed record ApiResult(string Arm, int Instances, double Seconds, double PerSecond, double PeakRssMb, int Connections, WrkRun Renew, WrkRun List, double SeedSeconds);

/// <summary>
/// The API arm: <c>tenure serve</c> on SQLite on a loopback port with one funded account of N
/// instances, and wrk against <c>POST /v1/instances/{id}/renew</c> (a new instance and
/// Idempotency-Key each request) and <c>GET /v1/instances</c>, with the account's key.
/// </summary>
public static partial class ApiArm
{
    /// <param name="serve">How to start this executable: the file and the arguments before <c>serve</c>.</param>
    public static ApiResult Run(int instances, int seconds, int connections, (string File, string[] Args) serve, TextWriter log)
    {
        var folder = Directory.CreateTempSubdirectory("tenure-api-bench-").FullName;
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var operatorKey = "bench-operator-" + Guid.NewGuid().ToString("N");
        var start = new ProcessStartInfo(serve.File) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var arg in serve.Args.Concat(["serve", "--db", Path.Combine(folder, "api.db"), "--urls", url])) start.ArgumentList.Add(arg);
        start.Environment["Tenure__OperatorKey"] = operatorKey;
        start.Environment["Tenure__RateLimit__PerSecond"] = "1000000";
        start.Environment["Tenure__RateLimit__Burst"] = "1000000";
        using var server = Process.Start(start) ?? throw new InvalidOperationException("tenure serve did not start.");
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.WriteLine($"serve: {e.Data}"); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            WaitHealthy(http, server);
            var seed = Stopwatch.StartNew();
            var seeded = SeedAccount(http, folder, operatorKey, instances);
            seed.Stop();
            var renew = Wrk(folder, url, "renew.lua", RenewScript(seeded, instances), seconds, connections);
            var list = Wrk(folder, url, "list.lua", ListScript(seeded), seconds, connections);
            var rss = PeakRssMb(server.Id);
            return new ApiResult("api-sqlite", instances, seconds, renew.PerSecond, rss, connections, renew, list, Math.Round(seed.Elapsed.TotalSeconds, 2));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// An account with a large balance (through the API) and N instances: one bought through the API
    /// (<c>ID</c>), the rest copied from it in SQL as <c>ID-1</c> … <c>ID-(N-1)</c>. Returns the key and ID.
    /// </summary>
    private static (string Key, string TemplateId) SeedAccount(HttpClient http, string folder, string operatorKey, int instances)
    {
        var account = Send(http, operatorKey, HttpMethod.Post, "/v1/accounts", new { name = "bench", email = "bench@example.com" });
        var key = account.GetProperty("apiKey").GetString()!;
        Send(http, operatorKey, HttpMethod.Post, $"/v1/accounts/{account.GetProperty("id").GetString()}/top-ups", new { amount = 900_000_000_000L });
        var templateId = Send(http, key, HttpMethod.Post, "/v1/instances",
            new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1, autoRenew = false }).GetProperty("id").GetString()!;
        var database = Database.Sqlite(Path.Combine(folder, "api.db"));
        using var session = database.Begin();
        QuietHorizon.CopyInstances(session, database, templateId, "account_id", 1, instances - 1);
        session.Commit();
        return (key, templateId);
    }

    private static JsonElement Send(HttpClient http, string key, HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", key);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        using var response = http.Send(request);
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static void WaitHealthy(HttpClient http, Process server)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (server.HasExited) throw new InvalidOperationException($"tenure serve exited with {server.ExitCode}.");
            try
            {
                using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, "/healthz"));
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            Thread.Sleep(200);
        }

        throw new TimeoutException("tenure serve did not become healthy in 60 s.");
    }

    /// <summary>Each request renews the next instance by a month with a fresh Idempotency-Key, as a client would send it.</summary>
    private static string RenewScript((string Key, string TemplateId) seeded, int instances) => $$"""
        local threads = 0
        function setup(thread)
          thread:set("tid", threads)
          threads = threads + 1
        end
        function init(args)
          n = 0
        end
        request = function()
          n = n + 1
          local i = (n * 2 + tid) % {{Math.Max(1, instances - 1)}} + 1
          local headers = {}
          headers["Authorization"] = "Bearer {{seeded.Key}}"
          headers["Content-Type"] = "application/json"
          headers["Idempotency-Key"] = "wrk-" .. tid .. "-" .. n
          return wrk.format("POST", "/v1/instances/{{seeded.TemplateId}}-" .. i .. "/renew", headers, '{"periodMonths":1}')
        end
        """;

    private static string ListScript((string Key, string TemplateId) seeded) => $$"""
        wrk.method = "GET"
        wrk.path = "/v1/instances?limit=50"
        wrk.headers["Authorization"] = "Bearer {{seeded.Key}}"
        """;

    private static WrkRun Wrk(string folder, string url, string name, string script, int seconds, int connections)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, script);
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-t2", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", path, url }) start.ArgumentList.Add(arg);
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start (apt-get install wrk).");
        var output = wrk.StandardOutput.ReadToEnd();
        wrk.WaitForExit();
        if (wrk.ExitCode != 0) throw new InvalidOperationException($"wrk failed: {wrk.StandardError.ReadToEnd()}");
        return ParseWrk(output);
    }

    /// <summary>Reads wrk's <c>--latency</c> report: Requests/sec, the 50 % and 99 % lines, requests, and non-2xx answers.</summary>
    public static WrkRun ParseWrk(string output)
    {
        double Number(Regex pattern) => double.Parse(pattern.Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        static double Ms(Match m) => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * m.Groups[2].Value switch { "us" => 0.001, "ms" => 1, "s" => 1000, _ => 60_000 };
        var non2xx = Non2xxPattern().Match(output);
        return new WrkRun(Number(RatePattern()), Ms(P50Pattern().Match(output)), Ms(P99Pattern().Match(output)), (long)Number(RequestsPattern()),
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"^\s+50%\s+([\d.]+)(us|ms|s|m)", RegexOptions.Multiline)]
    private static partial Regex P50Pattern();

    [GeneratedRegex(@"^\s+99%\s+([\d.]+)(us|ms|s|m)", RegexOptions.Multiline)]
    private static partial Regex P99Pattern();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsPattern();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xxPattern();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A process's peak resident set (VmHWM in /proc), in MB; 0 where /proc is missing.</summary>
    private static double PeakRssMb(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status)) return 0;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : Math.Round(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0, 1);
    }
}
