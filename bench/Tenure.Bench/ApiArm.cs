using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tenure.Storage;

namespace Tenure.Bench;

/// <summary>
/// One wrk run: requests per second achieved, latency percentiles, answers that were not 2xx, and socket
/// errors (connect, read, write, and requests unanswered within wrk's timeout).
/// </summary>
public sealed record WrkRun(double PerSecond, double P50Ms, double P99Ms, long Requests, long Non2xx, long SocketErrors);

/// <summary>
/// What the API arm measured at one connection count: a wrk run per route; <see cref="PerSecond"/> is the
/// renew route's rate and <see cref="PeakRssMb"/> the server's peak RSS over all three runs.
/// </summary>
public sealed record ApiResult(string Arm, int Instances, int Accounts, double Seconds, double PerSecond, double PeakRssMb, int Connections,
    WrkRun Renew, WrkRun Quote, WrkRun List, double SeedSeconds)
{
    /// <summary>The routes in the order they ran.</summary>
    public IReadOnlyList<(string Route, WrkRun Run)> Routes() => [("renew", Renew), ("quote", Quote), ("list", List)];
}

/// <summary>
/// The API arm: <c>tenure serve</c> on SQLite or PostgreSQL on a loopback port with N instances spread
/// over funded accounts, and wrk against <c>POST /v1/instances/{id}/renew</c> (the next instance, so
/// the next account, and a new Idempotency-Key each request) and <c>POST /v1/renewals/quote</c> (one
/// instance a request) with the operator key, and <c>GET /v1/instances</c> with the first account's
/// key, one route after the other. One account serializes its renewals (its balance is locked for
/// each), so with one account the arm measures that lock, not the path.
/// </summary>
public static partial class ApiArm
{
    /// <summary>How to start tenure: the file to run and the arguments before <c>serve</c>.</summary>
    public sealed record TenureCommand(string File, IReadOnlyList<string> Args);

    /// <param name="Postgres">The server's PostgreSQL connection string; null for a SQLite file in a temp folder.</param>
    public sealed record Settings(int Instances, int Accounts, int Seconds, int Connections, string? Postgres, TenureCommand Tenure);

    /// <summary>
    /// The tenure to serve with: <paramref name="path"/> (an executable, or a <c>.dll</c> run by dotnet), else
    /// src/Tenure.Cli of the repository this bench runs from, built in Release first so that a stale build
    /// is never measured. Null, after saying why, when there is no such file or no repository.
    /// </summary>
    public static TenureCommand? FindTenure(string? path, TextWriter log)
    {
        if (path is not null)
        {
            if (File.Exists(path)) return Command(Path.GetFullPath(path));
            log.WriteLine($"error: --tenure {path}: no such file (give the tenure executable or tenure.dll).");
            return null;
        }

        if ((Repository(AppContext.BaseDirectory) ?? Repository(Directory.GetCurrentDirectory())) is not { } repository)
        {
            log.WriteLine("error: this bench is not a build inside the Tenure repository; " +
                "give --tenure PATH (the tenure executable or tenure.dll).");
            return null;
        }

        var project = Path.Combine(repository, "src", "Tenure.Cli");
        log.WriteLine($"api: dotnet build {project} -c Release");
        var build = new ProcessStartInfo(Dotnet()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "build", project, "-c", "Release", "-nologo", "-v", "quiet" }) build.ArgumentList.Add(arg);
        using (var dotnet = Process.Start(build) ?? throw new InvalidOperationException("dotnet did not start."))
        {
            var errors = dotnet.StandardError.ReadToEndAsync();
            var output = dotnet.StandardOutput.ReadToEnd();
            dotnet.WaitForExit();
            if (dotnet.ExitCode != 0)
            {
                var said = output + errors.GetAwaiter().GetResult();
                throw new InvalidOperationException($"dotnet build {project} -c Release failed ({dotnet.ExitCode}):\n{said}");
            }
        }

        // The bench and the CLI share the target framework of Directory.Build.props.
        var framework = "net" + new FrameworkName(AppContext.TargetFrameworkName!).Version.ToString(2);
        return Command(Path.Combine(project, "bin", "Release", framework, "tenure.dll"));
    }

    private static TenureCommand Command(string path) =>
        path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? new TenureCommand(Dotnet(), [path]) : new TenureCommand(path, []);

    /// <summary>The dotnet host running this bench when the SDK says so (dotnet run), else dotnet on the PATH.</summary>
    private static string Dotnet() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string? Repository(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tenure.slnx"))) return dir.FullName;
        }

        return null;
    }

    public static ApiResult Run(Settings settings, TextWriter log)
    {
        var folder = Directory.CreateTempSubdirectory("tenure-api-bench-").FullName;
        var url = $"http://127.0.0.1:{FreePort()}";
        var operatorKey = "bench-operator-" + Guid.NewGuid().ToString("N");
        var sqlite = Path.Combine(folder, "api.db");
        var database = settings.Postgres is { } postgres ? Database.Postgres(postgres) : Database.Sqlite(sqlite);
        var start = new ProcessStartInfo(settings.Tenure.File)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder,
        };
        string[] where = settings.Postgres is { } connection ? ["--postgres", connection] : ["--db", sqlite];
        foreach (var arg in settings.Tenure.Args.Concat(["serve", .. where, "--urls", url])) start.ArgumentList.Add(arg);
        start.Environment["Tenure__OperatorKey"] = operatorKey;
        start.Environment["Tenure__RateLimit__PerSecond"] = "1000000";
        start.Environment["Tenure__RateLimit__Burst"] = "1000000";
        start.Environment["Logging__LogLevel__Default"] = "Warning"; // what the server prints below is then only what went wrong
        using var server = Process.Start(start) ?? throw new InvalidOperationException("tenure serve did not start.");
        server.OutputDataReceived += (_, e) => Forward(log, e.Data);
        server.ErrorDataReceived += (_, e) => Forward(log, e.Data);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            WaitHealthy(http, server);
            var seed = Stopwatch.StartNew();
            var seeded = SeedAccounts(http, database, operatorKey, settings.Instances, settings.Accounts);
            seed.Stop();
            var run = Guid.NewGuid().ToString("N")[..8]; // Idempotency-Keys unique even against a database used before
            var renew = Wrk(folder, url, "renew.lua", RenewScript(operatorKey, seeded.TemplateId, Spread(settings), run), settings);
            var quote = Wrk(folder, url, "quote.lua", QuoteScript(operatorKey, seeded.TemplateId, Spread(settings)), settings);
            var list = Wrk(folder, url, "list.lua", ListScript(seeded), settings);
            var arm = settings.Postgres is null ? "api-sqlite" : "api-postgres";
            return new ApiResult(arm, settings.Instances, settings.Accounts, settings.Seconds, renew.PerSecond, PeakRssMb(server.Id),
                settings.Connections, renew, quote, list, Math.Round(seed.Elapsed.TotalSeconds, 2));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Forward(TextWriter log, string? line)
    {
        if (line is { Length: > 0 } && !line.StartsWith("Tenure listens on", StringComparison.Ordinal)) log.WriteLine($"serve: {line}");
    }

    /// <summary>
    /// <paramref name="accounts"/> accounts with a large balance (through the API) and N instances: one
    /// bought through the API (<c>ID</c>), the rest copied from it in SQL as <c>ID-1</c> … <c>ID-(N-1)</c>,
    /// in consecutive blocks per account. Returns the first account's key and the template's ID.
    /// </summary>
    private static (string Key, string TemplateId) SeedAccounts(
        HttpClient http, Database database, string operatorKey, int instances, int accounts)
    {
        var ids = new List<string>(accounts);
        string? key = null;
        for (var a = 0; a < accounts; a++)
        {
            var account = Send(http, operatorKey, HttpMethod.Post, "/v1/accounts",
                new { name = $"bench {a}", email = "bench@example.com" });
            key ??= account.GetProperty("apiKey").GetString()!;
            ids.Add(account.GetProperty("id").GetString()!);
            Send(http, operatorKey, HttpMethod.Post, $"/v1/accounts/{ids[^1]}/top-ups", new { amount = 900_000_000_000L });
        }

        var buy = new
        {
            product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1, autoRenew = false,
        };
        var templateId = Send(http, key!, HttpMethod.Post, "/v1/instances", buy).GetProperty("id").GetString()!;
        using var session = database.Begin();
        var perAccount = Math.Max(1, (instances - 1 + accounts - 1) / accounts);
        for (var (a, from) = (0, 1); from <= instances - 1; (a, from) = (a + 1, from + perAccount))
        {
            QuietHorizon.CopyInstances(session, database, templateId, $"'{ids[a]}'", from, Math.Min(instances - 1, from + perAccount - 1));
        }

        if (database.Dialect == Dialect.Postgres) session.Execute("ANALYZE instances"); // the planner sees N rows, not the one bought
        session.Commit();
        return (key!, templateId);
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
    /// <summary>
    /// Lua for the k-th request's instance number: request k goes to account k mod A, so consecutive
    /// requests (and wrk's two threads) meet different accounts, as many customers' requests would.
    /// </summary>
    private static string Spread(Settings settings)
    {
        var per = Math.Max(1, (settings.Instances - 1 + settings.Accounts - 1) / settings.Accounts);
        var last = Math.Max(1, settings.Instances - 1);
        return "local k = n * 2 + tid\n" +
            $"          local i = (k % {settings.Accounts}) * {per} + math.floor(k / {settings.Accounts}) % {per} + 1\n" +
            $"          if i > {last} then i = k % {last} + 1 end";
    }

    private static string RenewScript(string key, string templateId, string spread, string run) => Script(key, spread, $$"""
        headers["Idempotency-Key"] = "wrk-{{run}}-" .. tid .. "-" .. n
          return wrk.format("POST", "/v1/instances/{{templateId}}-" .. i .. "/renew", headers, '{"periodMonths":1}')
        """);

    /// <summary>Each request quotes a month's renewal of the next instance, as the console does before a payment.</summary>
    private static string QuoteScript(string key, string templateId, string spread) => Script(key, spread, $$"""
        local body = '{"items":[{"instanceId":"{{templateId}}-' .. i .. '","periodMonths":1}]}'
          return wrk.format("POST", "/v1/renewals/quote", headers, body)
        """);

    /// <summary>
    /// A JSON POST per request to the instance <c>i</c> that <paramref name="spread"/> picks; <paramref name="send"/> makes the request.
    /// </summary>
    private static string Script(string key, string spread, string send) => $$"""
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
          {{spread}}
          local headers = {}
          headers["Authorization"] = "Bearer {{key}}"
          headers["Content-Type"] = "application/json"
          {{send}}
        end
        """;

    private static string ListScript((string Key, string TemplateId) seeded) => $$"""
        wrk.method = "GET"
        wrk.path = "/v1/instances?limit=50"
        wrk.headers["Authorization"] = "Bearer {{seeded.Key}}"
        """;

    private static WrkRun Wrk(string folder, string url, string name, string script, Settings settings)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, script);
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        // wrk leaves a request slower than its timeout (2 s by default) out of the latencies: a long one keeps the slow tail in p99.
        string[] args = ["-t2", $"-c{settings.Connections}", $"-d{settings.Seconds}s", "--timeout", "60s", "--latency", "-s", path, url];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start (apt-get install wrk).");
        var output = wrk.StandardOutput.ReadToEnd();
        wrk.WaitForExit();
        if (wrk.ExitCode != 0) throw new InvalidOperationException($"wrk failed: {wrk.StandardError.ReadToEnd()}");
        return ParseWrk(output);
    }

    /// <summary>
    /// Reads wrk's <c>--latency</c> report: Requests/sec, the 50 % and 99 % lines, requests, non-2xx answers and socket errors.
    /// </summary>
    public static WrkRun ParseWrk(string output)
    {
        double Number(Regex pattern) => double.Parse(pattern.Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        static double Ms(Match m) => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            * m.Groups[2].Value switch { "us" => 0.001, "ms" => 1, "s" => 1000, _ => 60_000 };
        var non2xx = Non2xxPattern().Match(output);
        var socket = SocketErrorsPattern().Match(output);
        return new WrkRun(Number(RatePattern()), Ms(P50Pattern().Match(output)), Ms(P99Pattern().Match(output)),
            (long)Number(RequestsPattern()),
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socket.Success ? socket.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0);
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

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsPattern();

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
        if (line is null) return 0;
        return Math.Round(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0, 1);
    }
}
