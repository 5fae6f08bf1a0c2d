using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Tenure.Engine.Tests;

/// <summary>
/// <c>tenure serve --demo</c> as a newcomer runs it: started, stopped and started again on one database, each start
/// prints keys that work; the demo account on a test clock shows T-3 and a release when the operator advances it.
/// </summary>
public sealed class DemoTests
{
    private const string ClockLine = "Demo account key (acc-demo-clock, on test clock clk-demo; advance it on /console/operator): ";

    [Fact]
    public async Task R12_1_a_restarted_serve_demo_prints_working_keys_and_its_test_clock_account_reaches_T_minus_3_and_a_release()
    {
        var file = Fixtures.SqliteFile();
        try
        {
            // First start without an operator key in the configuration: serve makes one and prints it.
            string firstDemo, firstClock;
            using (var serve = await ServeProcess.Start("not-configured", file, ("Tenure__OperatorKey", ""), ("Tenure__Demo", "true")))
            {
                var output = await Printed(serve);
                using var op = serve.Client(Key(output, "Operator key (set Tenure__OperatorKey to keep one): "));
                (firstDemo, firstClock) = (Key(output, "Demo account key (acc-demo): "), Key(output, ClockLine));
                Assert.Equal("acc-demo", (await Get(serve.Client(firstDemo), "/v1/account"))["id"]!.ToString());
                Assert.Equal("acc-demo-clock", (await Get(serve.Client(firstClock), "/v1/account"))["id"]!.ToString());
                Assert.Equal("clk-demo", (await Get(op, "/v1/test-clocks/clk-demo"))["id"]!.ToString());
                await serve.Stop();
            }

            // Started again on the same database, with the operator key configured: it says so without printing it.
            using (var serve = await ServeProcess.Start("op-demo-restart", file, ("Tenure__Demo", "true")))
            {
                var output = await Printed(serve);
                Assert.Contains("Operator key: the one configured in Tenure:OperatorKey (not printed).", output);
                Assert.DoesNotContain(output, line => line.Contains("op-demo-restart", StringComparison.Ordinal));
                var (demo, clock) = (Key(output, "Demo account key (acc-demo): "), Key(output, ClockLine));
                Assert.NotEqual(firstDemo, demo);
                foreach (var key in new[] { demo, clock, firstDemo, firstClock }) // fresh keys work, and no earlier key was revoked
                {
                    using var client = serve.Client(key);
                    using var answer =
                        await client.GetAsync(new Uri("/v1/account", UriKind.Relative), TestContext.Current.CancellationToken);
                    Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                }

                using var customer = serve.Client(clock);
                var frozen = Time((await Get(serve.Operator, "/v1/test-clocks/clk-demo"))["frozenTime"]!.ToString());
                var auto = Time((await Get(customer, "/v1/instances/i-clock-auto"))["expiresAt"]!.ToString());
                var manual = Time((await Get(customer, "/v1/instances/i-clock-manual"))["expiresAt"]!.ToString());
                var noRenew = Time((await Get(customer, "/v1/instances/i-clock-norenew"))["expiresAt"]!.ToString());
                Assert.Equal(1, frozen.Hour); // 09:00 in Asia/Shanghai
                // Due in the next days: in 4, 5 and 6 days, unless a month end moved a purchase date (then a day or two sooner).
                Assert.True(frozen < auto && auto <= manual && manual <= noRenew && noRenew < frozen.AddDays(6),
                    $"{frozen} {auto} {manual} {noRenew}");

                // Two days on: the auto-renew instance's T-3 attempt (08:00 local) failed for want of funds,
                // and the manual one got its T-3 reminder.
                await Advance(serve, frozen.AddDays(2));
                Assert.Contains(("autoRenewFailed", Text(auto.AddDays(-3).AddHours(8))), await Events(customer, "i-clock-auto"));
                Assert.Contains(("reminderSent", Text(manual.AddDays(-3).AddHours(8))), await Events(customer, "i-clock-manual"));
                var notices = (await Get(customer, "/v1/notifications"))["items"]!.AsArray().Select(n => n!["kind"]!.ToString()).ToList();
                Assert.Contains("autoRenewFailed", notices);

                // Past its expiry the do-not-renew OSS package is released at once (R5.3 releaseOnStop).
                await Advance(serve, noRenew.AddHours(1));
                Assert.Contains(("released", Text(noRenew)), await Events(customer, "i-clock-norenew"));
                Assert.Equal("released", (await Get(customer, "/v1/instances/i-clock-norenew"))["status"]!.ToString());
                await serve.Stop();
            }
        }
        finally
        {
            Storage.Database.DeleteSqliteFiles(file);
        }
    }

    /// <summary>The lines serve printed before it listened (they are read from its output as it goes).</summary>
    private static async Task<IReadOnlyList<string>> Printed(ServeProcess serve)
    {
        for (var i = 0; i < 100 && !serve.Output.Any(l => l.StartsWith("Tenure listens on", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        return serve.Output;
    }

    private static string Key(IReadOnlyList<string> output, string prefix)
    {
        var line = Assert.Single(output, l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line[prefix.Length..];
    }

    private static async Task<JsonNode> Get(HttpClient client, string path)
    {
        using var answer = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        var body = await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(answer.IsSuccessStatusCode, $"GET {path}: {(int)answer.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private static async Task Advance(ServeProcess serve, DateTimeOffset to)
    {
        using var answer = await serve.Post("/v1/test-clocks/clk-demo/advance", $"{{\"to\":\"{Text(to)}\"}}");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    private static async Task<List<(string Kind, string At)>> Events(HttpClient client, string id) =>
        [.. (await Get(client, $"/v1/instances/{id}/events?limit=100"))["items"]!.AsArray()
            .Select(e => (e!["kind"]!.ToString(), e["at"]!.ToString()))];

    private static DateTimeOffset Time(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string Text(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
