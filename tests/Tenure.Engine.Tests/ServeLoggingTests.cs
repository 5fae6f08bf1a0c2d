using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Tenure.Engine.Tests;

/// <summary>
/// <c>tenure serve</c>'s log as the real process writes it: a client's mistake is answered with its problem and is
/// not an error of ours (no <c>fail:</c>, no stack trace); a failure on our side is logged at Error with its exception.
/// </summary>
public sealed class ServeLoggingTests
{
    private const string BadJson = """{"name": """;

    [Fact]
    public async Task Serve_answers_a_bad_JSON_body_400_with_its_problem_and_logs_no_error_no_stack_trace_and_no_request_lines()
    {
        using var serve = await Served.Start();
        using var answer = await serve.Post("/v1/accounts", BadJson);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("validation", problem["code"]!.ToString());

        var log = await serve.Stop();
        Assert.Contains("Tenure listens on", log, StringComparison.Ordinal); // the output was read
        Assert.DoesNotContain("fail:", log, StringComparison.Ordinal);
        Assert.DoesNotContain("BadHttpRequestException", log, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Split('\n'), line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain("Request starting", log, StringComparison.Ordinal); // ASP.NET Core's request lines are below Warning
    }

    [Fact]
    public async Task Serve_logs_JSON_lines_with_FormatterName_json_and_a_500_at_Error_with_its_exception_but_a_400_not()
    {
        using var serve = await Served.Start(("Logging__Console__FormatterName", "json"));
        using (var bad = await serve.Post("/v1/accounts", BadJson)) Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // Broken infrastructure: the table behind Idempotency-Key is gone, so the next command fails on our side.
        using (var connection = new SqliteConnection($"Data Source={serve.DbFile};Pooling=False"))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE idempotency";
            drop.ExecuteNonQuery();
        }

        using (var broken = await serve.Post("/v1/accounts", """{"name":"Ada","email":"ada@example.com"}""", idempotencyKey: "log-1"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, broken.StatusCode);
            Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);
        }

        var entries = (await serve.Stop()).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("Tenure listens on", StringComparison.Ordinal)) // serve's own line, not a log entry
            .Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
        Assert.Contains(entries, e => e["Category"]!.ToString() == "Microsoft.Hosting.Lifetime" && e["Timestamp"] is not null);
        var error = Assert.Single(entries, e => e["LogLevel"]!.ToString() is "Error" or "Critical");
        Assert.Equal("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", error["Category"]!.ToString());
        Assert.Contains("no such table: idempotency", error["Exception"]!.ToString(), StringComparison.Ordinal);
    }

    /// <summary>One <c>tenure serve</c> process on a free loopback port and its own SQLite file, its output collected.</summary>
    private sealed class Served : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();
        private readonly HttpClient _http;

        private Served(Process process, string url, string dbFile)
        {
            _process = process;
            DbFile = dbFile;
            _http = new HttpClient { BaseAddress = new Uri(url) };
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "op-log-test");
        }

        public string DbFile { get; }

        public static async Task<Served> Start(params (string Name, string Value)[] environment)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var file = Fixtures.SqliteFile();
            var url = $"http://127.0.0.1:{port}";
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "tenure.dll"), "serve", "--db", file, "--urls", url })
            {
                info.ArgumentList.Add(arg);
            }

            info.Environment["Tenure__OperatorKey"] = "op-log-test";
            foreach (var (name, value) in environment) info.Environment[name] = value;
            var served = new Served(Process.Start(info)!, url, file);
            served._process.OutputDataReceived += (_, e) => { if (e.Data is not null) served._output.Enqueue(e.Data); };
            served._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) served._output.Enqueue(e.Data); };
            served._process.BeginOutputReadLine();
            served._process.BeginErrorReadLine();
            try
            {
                await served.WaitHealthy();
                return served;
            }
            catch (Exception)
            {
                served.Dispose(); // no server left running behind a failed start
                throw;
            }
        }

        private async Task WaitHealthy()
        {
            var health = new Uri("/healthz", UriKind.Relative);
            for (var i = 0; i < 150; i++)
            {
                try
                {
                    using var answer = await _http.GetAsync(health, TestContext.Current.CancellationToken);
                    if (answer.IsSuccessStatusCode) return;
                }
                catch (HttpRequestException)
                {
                    Assert.False(_process.HasExited, $"serve exited: {string.Join('\n', _output)}");
                }

                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            throw new TimeoutException($"serve did not answer /healthz in 15 s: {string.Join('\n', _output)}");
        }

        public async Task<HttpResponseMessage> Post(string path, string json, string? idempotencyKey = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            };
            if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
            return await _http.SendAsync(request, TestContext.Current.CancellationToken);
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

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(); // a test that failed before Stop
            _process.Dispose();
            _http.Dispose();
            Storage.Database.DeleteSqliteFiles(DbFile);
        }
    }
}
