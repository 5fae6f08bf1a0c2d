using System.Text;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Testing;
using Tenure.Engine.Payments;
using Tenure.Storage;

namespace Tenure.Engine.Tests;

/// <summary>
/// R7.11 under kill -9: <c>tenure serve</c> as a real process charging cards through the reference gateway (in this
/// process, counting every charge), SIGKILLed at random moments (after the attempts fell due) while its payment worker
/// calls the gateway and settles.
/// The pending row is committed before the call and the call is resumed with the same Idempotency-Key, so afterwards
/// every charge the gateway made matches exactly one paid order, nothing is charged twice, and verify is clean.
/// </summary>
public sealed class PaymentCrashTests : MigratedSqlite
{
    private const string OperatorKey = "op-payment-crash";
    private const string Secret = "payment-crash-secret";
    /// <summary>
    /// The figure. Each kill costs a restart of serve (about 3 s here when the machine is quiet, twice that under
    /// load), so this is the suite's longest test.
    /// </summary>
    private const int Kills = 50;
    private const int Instances = 6;

    [Fact]
    public async Task R7_11_killed_at_random_moments_around_gateway_calls_every_charge_matches_one_order_none_doubled_verify_clean()
    {
        var random = new Random(20261202);
        await using var gateway = new ReferenceGateway(new FakeClock(Instant.FromUtc(2026, 12, 1, 0, 0)), 0, Secret);
        (string, string)[] environment =
        [
            ("Tenure__Payments__GatewayUrl", gateway.Url), ("Tenure__Payments__Secret", Secret), ("Tenure__Payments__TimeoutSeconds", "1"),
        ];
        var (clockId, accountId) = await Seed(environment);
        var start = Instant.FromUtc(2019, 1, 29, 2, 0);
        var caughtPending = 0;
        for (var run = 0; run < Kills; run++)
        {
            using var serve = await ServeProcess.Start(OperatorKey, DbFile, environment);
            // A month later each time: every instance's T-3 attempt falls due and asks the card for 1,000 (which succeeds).
            var to = start + Duration.FromDays(31 * (run + 1));
            // The advance commits the pending payments; the kill lands while the worker calls the gateway and settles.
            using (var advanced = await serve.Post($"/v1/test-clocks/{clockId}/advance", $$"""{"to":"{{to}}"}"""))
                Assert.True(advanced.IsSuccessStatusCode);
            await Task.Delay(random.Next(0, 120), TestContext.Current.CancellationToken);
            serve.Kill();

            using var session = Db.BeginRead();
            if (session.Payments(accountId, null, "pending", null, 1).Count > 0) caughtPending++;
        }

        using (var serve = await ServeProcess.Start(OperatorKey, DbFile, environment))
        {
            for (var i = 0; i < 300 && Pending(accountId) > 0; i++) await Task.Delay(100, TestContext.Current.CancellationToken);
            Assert.Equal(0, Pending(accountId));
        }

        using var read = Db.BeginRead();
        var payments = read.Payments(accountId, null, null, null, 100_000);
        var succeeded = payments.Where(p => p.Status == "succeeded").ToList();
        var charged = gateway.Charges.Where(c => c.Status == "succeeded").ToList();
        var orders = read.PaymentOrders(accountId).Where(o => o.Kind == "Renewal").ToDictionary(o => o.Id);
        // A payment that succeeded after its instance was released (pending past paymentPendingHours while the server was
        // down) is refunded whole instead of applied: charged, never kept.
        var refunded = payments.Where(p => p.Status == "refunded").ToList();
        Assert.Equal(charged.Select(c => c.PaymentId).Order(StringComparer.Ordinal),
            succeeded.Concat(refunded).Select(p => p.Id).Order(StringComparer.Ordinal));
        Assert.All(refunded, p => Assert.Equal(p.Amount, gateway.Refunds.Where(r => r.PaymentId == p.Id).Sum(r => r.Amount)));
        Assert.All(succeeded, p => Assert.Equal(p.Amount, orders[p.OrderId!].PaidByMethod));
        Assert.Equal(succeeded.Count, succeeded.Select(p => p.OrderId).Distinct().Count());
        Assert.Equal(succeeded.Count, succeeded.Select(p => (p.InstanceId, p.PeriodStart)).Distinct().Count());
        Assert.Equal(orders.Count, succeeded.Count);
        // Kept or refunded depends on where the kills land (a payment still pending when the next month's advance passes
        // paymentPendingHours comes back after its release and is refunded); that every instance was charged does not.
        Assert.True(succeeded.Count + refunded.Count >= Instances,
            $"only {succeeded.Count} payments succeeded and {refunded.Count} were refunded");
        Assert.True(caughtPending > 0, "no kill landed while a payment was in flight");
        Assert.Empty(Verifier.Check(Db));
    }

    /// <summary>Payments still pending, and refunds not yet taken by the gateway.</summary>
    private int Pending(string accountId)
    {
        using var session = Db.BeginRead();
        return session.Payments(accountId, null, "pending", null, 1000).Count
            + session.MethodRefunds(accountId).Count(r => r.Status != "succeeded");
    }

    /// <summary>An account on a test clock with auto-renew ecs.small instances, no balance and a card on file.</summary>
    private async Task<(string ClockId, string AccountId)> Seed((string, string)[] environment)
    {
        using var serve = await ServeProcess.Start(OperatorKey, DbFile, environment);
        var clock = JsonNode.Parse(await Post(serve.Operator, "/v1/test-clocks", """{"frozenTime":"2019-01-29T02:00:00Z"}"""))!;
        var created = JsonNode.Parse(await Post(serve.Operator, "/v1/accounts",
            $$"""{"name":"Card crash","email":"crash@example.com","testClockId":"{{clock["id"]}}"}"""))!;
        var accountId = created["id"]!.ToString();
        await Post(serve.Operator, $"/v1/accounts/{accountId}/top-ups", $$"""{"amount":{{1000 * Instances}}}""");
        using var client = serve.Client(created["apiKey"]!.ToString());
        for (var i = 0; i < Instances; i++)
        {
            await Post(client, "/v1/instances",
                """{"product":"ecs","region":"cn-hangzhou","spec":"ecs.small","chargeType":"subscription","periodMonths":""" +
                """1,"autoRenew":true}""");
        }

        using var put = new HttpRequestMessage(HttpMethod.Put, $"/v1/accounts/{accountId}/payment-method")
        {
            Content = new StringContent("""{"token":"tok_crash","label":"Visa •••• 0000"}""", Encoding.UTF8, "application/json"),
        };
        using var set = await serve.Operator.SendAsync(put, TestContext.Current.CancellationToken);
        Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (clock["id"]!.ToString(), accountId);
    }

    private static async Task<string> Post(HttpClient client, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return text;
    }
}
