using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Tenure.Storage;

namespace Tenure.Engine.Tests;

/// <summary>
/// The command path under kill -9: <c>tenure serve</c> as a real process, SIGKILLed at random
/// moments during keyed renewals. The answer to a key is stored in the command's own transaction,
/// so after a restart a retry either replays the first answer or runs the command once.
/// </summary>
public sealed class CrashTests : MigratedSqlite
{
    private const string OperatorKey = "op-crash-test";
    private const int Kills = 50;
    private const int RenewalsPerRun = 6;

    [Fact]
    public async Task R13_2_killed_at_50_random_moments_every_key_answers_its_first_answer_or_runs_once_and_verify_is_clean()
    {
        var random = new Random(20261201);
        var (key, instances) = await Seed();
        var firstAnswers = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new List<(string Key, string Instance)>();
        var total = 0;
        var lost = 0;
        for (var run = 0; run < Kills; run++)
        {
            using var serve = await Serve.StartAsync(DbFile);
            using var client = serve.Client(key);
            foreach (var (k, instance) in pending) await Retry(client, k, instance, firstAnswers);
            pending = [.. Enumerable.Range(0, RenewalsPerRun).Select(j => ($"run{run}-{j}", instances[((run * RenewalsPerRun) + j) % instances.Count]))];
            total += pending.Count;
            var sent = pending.Select(async p =>
            {
                try
                {
                    var (status, body, _) = await Renew(client, p.Key, p.Instance);
                    lock (firstAnswers) firstAnswers[p.Key] = $"{status} {body}";
                }
                catch (HttpRequestException)
                {
                    // Killed before it answered: the retry after the restart tells what happened.
                    Interlocked.Increment(ref lost);
                }
            }).ToList();
            await Task.Delay(random.Next(0, 80), TestContext.Current.CancellationToken);
            serve.Kill();
            await Task.WhenAll(sent);
        }

        using (var serve = await Serve.StartAsync(DbFile))
        using (var client = serve.Client(key))
        {
            foreach (var (k, instance) in pending) await Retry(client, k, instance, firstAnswers);
        }

        using var connection = Db.Open();
        Assert.Equal(total, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM order_items WHERE kind = 'Renewal'"));
        Assert.True(lost > 0 && lost < total, $"{lost} of {total} requests lost their answer: the kills should land both before and after answers");
        Assert.Empty(Verifier.Check(Db));
    }

    /// <summary>The retry after a restart: 200, and the very first answer when the client had one.</summary>
    private static async Task Retry(HttpClient client, string key, string instance, Dictionary<string, string> firstAnswers)
    {
        var (status, body, replayed) = await Renew(client, key, instance);
        Assert.Equal(200, status);
        if (firstAnswers.TryGetValue(key, out var first))
        {
            Assert.Equal(first, $"{status} {body}");
            Assert.True(replayed, $"{key} ran again instead of replaying");
        }

        firstAnswers[key] = $"{status} {body}";
    }

    private static async Task<(int Status, string Body, bool Replayed)> Renew(HttpClient client, string key, string instance)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/instances/{instance}/renew")
        {
            Content = new StringContent("""{"periodMonths":1}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken),
            response.Headers.Contains("Idempotent-Replayed"));
    }

    /// <summary>A funded account with instances enough that no instance is renewed more than a few times.</summary>
    private async Task<(string Key, List<string> Instances)> Seed()
    {
        using var serve = await Serve.StartAsync(DbFile);
        using var op = serve.Client(OperatorKey);
        var account = JsonNode.Parse(await Post(op, "/v1/accounts", """{"name":"Crash","email":"crash@example.com"}"""))!;
        await Post(op, $"/v1/accounts/{account["id"]}/top-ups", """{"amount":100000000}""");
        using var client = serve.Client(account["apiKey"]!.ToString());
        var instances = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            var bought = JsonNode.Parse(await Post(client, "/v1/instances",
                """{"product":"ecs","region":"cn-hangzhou","spec":"ecs.small","chargeType":"subscription","periodMonths":1}"""))!;
            instances.Add(bought["id"]!.ToString());
        }

        return (account["apiKey"]!.ToString(), instances);
    }

    private static async Task<string> Post(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return text;
    }

    /// <summary><c>tenure serve</c> on a SQLite file and a free loopback port, as a child process.</summary>
    private sealed class Serve : IDisposable
    {
        private readonly Process _process;

        private Serve(Process process, Uri address)
        {
            _process = process;
            Address = address;
        }

        public Uri Address { get; }

        public static async Task<Serve> StartAsync(string file)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var info = new ProcessStartInfo("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "tenure.dll")}\" serve --db \"{file}\" --urls http://127.0.0.1:{port}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            info.Environment["Tenure__OperatorKey"] = OperatorKey;
            info.Environment["Tenure__RateLimit__PerSecond"] = "100000";
            info.Environment["Tenure__RateLimit__Burst"] = "100000";
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var serve = new Serve(process, new Uri($"http://127.0.0.1:{port}"));
            using var http = new HttpClient { BaseAddress = serve.Address };
            for (var i = 0; i < 300; i++)
            {
                try
                {
                    if ((await http.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken)).IsSuccessStatusCode) return serve;
                }
                catch (HttpRequestException)
                {
                    Assert.False(process.HasExited, "tenure serve exited at start");
                }

                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            serve.Dispose();
            throw new TimeoutException("tenure serve did not answer /healthz within 15 s.");
        }

        public HttpClient Client(string key)
        {
            var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return client;
        }

        /// <summary>SIGKILL: no shutdown, no flush, no finally.</summary>
        public void Kill()
        {
            if (_process.HasExited) return;
            _process.Kill();
            _process.WaitForExit();
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }
    }
}
