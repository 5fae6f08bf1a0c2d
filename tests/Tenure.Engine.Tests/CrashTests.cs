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
            using var serve = await ServeProcess.Start(OperatorKey, DbFile);
            using var client = serve.Client(key);
            foreach (var (k, instance) in pending) await Retry(client, k, instance, firstAnswers);
            pending = [.. Enumerable.Range(0, RenewalsPerRun)
                .Select(j => ($"run{run}-{j}", instances[((run * RenewalsPerRun) + j) % instances.Count]))];
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

        using (var serve = await ServeProcess.Start(OperatorKey, DbFile))
        using (var client = serve.Client(key))
        {
            foreach (var (k, instance) in pending) await Retry(client, k, instance, firstAnswers);
        }

        using var connection = Db.Open();
        Assert.Equal(total, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM order_items WHERE kind = 'Renewal'"));
        Assert.True(lost > 0 && lost < total,
            $"{lost} of {total} requests lost their answer: the kills should land both before and after answers");
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
        using var serve = await ServeProcess.Start(OperatorKey, DbFile);
        var created = await Post(serve.Operator, "/v1/accounts", """{"name":"Crash","email":"crash@example.com"}""");
        var account = JsonNode.Parse(created)!;
        await Post(serve.Operator, $"/v1/accounts/{account["id"]}/top-ups", """{"amount":100000000}""");
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
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content,
            TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return text;
    }
}
