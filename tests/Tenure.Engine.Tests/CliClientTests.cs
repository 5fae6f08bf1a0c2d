using Microsoft.AspNetCore.Builder;
using NodaTime;
using NodaTime.Testing;
using Spectre.Console;
using Tenure.Api;
using Tenure.Cli;
using Tenure.Storage;

namespace Tenure.Engine.Tests;

/// <summary>The CLI client against a real server on loopback: the seed's manual and auto renewal walkthrough in a terminal.</summary>
public sealed class CliClientTests : IAsyncLifetime
{
    private readonly string _file = Fixtures.SqliteFile();
    private WebApplication? _app;
    private string _server = "";

    public async ValueTask InitializeAsync()
    {
        var db = Database.Sqlite(_file);
        db.Migrate();
        _app = TenureApi.Build(new ApiOptions(db, "op-cli", new FakeClock(Instant.FromUtc(2026, 11, 23, 0, 0)), RunEngine: false),
            ["--urls", "http://127.0.0.1:0"]);
        await _app.StartAsync();
        _server = _app.Urls.First();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        Storage.Database.DeleteSqliteFiles(_file);
    }

    private (int Code, string Out, string Error) Tenure(string key, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 250;
        var code = TenureCli.Run([.. args, "--server", _server, "--key", key], console, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task R8_2_a_customer_renews_one_and_a_batch_sets_auto_renewal_and_a_clock_runs_the_attempt()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_server) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "op-cli");
        var (_, clockOut, _) = Tenure("op-cli", "clock", "create", "--at", "2019-03-01T02:00:00Z");
        var clockId = clockOut.Split(' ')[0];
        using var account = await http.PostAsync(new Uri("/v1/accounts", UriKind.Relative),
            Json(new { name = "Terminal", email = "t@example.com", testClockId = clockId }), TestContext.Current.CancellationToken);
        var created =
            System.Text.Json.Nodes.JsonNode.Parse(await account.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var key = created["apiKey"]!.ToString();
        await http.PostAsync(new Uri($"/v1/accounts/{created["id"]}/top-ups", UriKind.Relative), Json(new { amount = 10_000 }),
            TestContext.Current.CancellationToken);
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var client = new HttpClient { BaseAddress = new Uri(_server) };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            using var bought = await client.PostAsync(new Uri("/v1/instances", UriKind.Relative),
                Json(new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1 }),
                TestContext.Current.CancellationToken);
            var boughtBody = await bought.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            ids.Add(System.Text.Json.Nodes.JsonNode.Parse(boughtBody)!["id"]!.ToString());
        }

        var (listCode, list, _) = Tenure(key, "instances", "list", "--tab", "manual");
        Assert.Equal(0, listCode);
        Assert.Contains(ids[0], list, StringComparison.Ordinal);
        Assert.Contains("2019-04-02 00:00 +08:00", list, StringComparison.Ordinal);

        var (notTerminal, _, refusal) = Tenure(key, "renew", ids[0], "--months", "1");
        Assert.Equal((ExitCodes.Usage, true), (notTerminal, refusal.Contains("--yes", StringComparison.Ordinal)));
        var (renewCode, renewed, _) = Tenure(key, "renew", ids[0], "--months", "1", "--yes");
        Assert.Equal(0, renewCode);
        Assert.Contains("2019-05-02 00:00 +08:00", renewed, StringComparison.Ordinal);
        Assert.Contains("Paid order o-", renewed, StringComparison.Ordinal);

        var (batchCode, batch, _) = Tenure(key, "renew", "--batch", ids[0], ids[1], "--months", "2", "--yes");
        Assert.Equal(0, batchCode);
        Assert.Contains("Total: 40.00 USD", batch, StringComparison.Ordinal);

        var (autoCode, auto, _) = Tenure(key, "auto-renew", ids[1], "--months", "1");
        Assert.Equal(0, autoCode);
        Assert.Contains("auto, 1 month(s); next reminder at 2019-05-26 08:00 +08:00", auto, StringComparison.Ordinal);
        var (forecastCode, forecast, _) = Tenure(key, "forecast", "--days", "100");
        Assert.Equal(0, forecastCode);
        Assert.Contains("Total 10.00 USD; covered.", forecast, StringComparison.Ordinal);

        var (advanceCode, advanced, _) = Tenure("op-cli", "clock", "advance", clockId, "--to", "2019-05-30T00:00:00Z");
        Assert.Equal(0, advanceCode);
        Assert.Contains("2 event(s) ran", advanced, StringComparison.Ordinal);
        var (_, shown, _) = Tenure(key, "instances", "show", ids[1]);
        Assert.Contains("renewed", shown, StringComparison.Ordinal);
        Assert.Contains("2019-07-02 00:00 +08:00", shown, StringComparison.Ordinal);

        var (refusedCode, _, refusedError) = Tenure(key, "renew", ids[1], "--months", "10", "--yes");
        Assert.Equal((ExitCodes.Refused, true), (refusedCode, refusedError.Contains("(invalid-period, 422)", StringComparison.Ordinal)));
        var (unreachable, _, _) = TenureAt("http://127.0.0.1:9", key, "forecast");
        Assert.Equal(ClientCommands.Unreachable, unreachable);
    }

    [Fact]
    public async Task R7_5_a_batch_of_1100_is_one_quote_and_one_order_and_nothing_moves_when_funds_are_short()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_server) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "op-cli");
        var (_, clockOut, _) = Tenure("op-cli", "clock", "create", "--at", "2019-03-01T02:00:00Z");
        using var account = await http.PostAsync(new Uri("/v1/accounts", UriKind.Relative),
            Json(new { name = "Fleet", email = "f@example.com", testClockId = clockOut.Split(' ')[0] }),
            TestContext.Current.CancellationToken);
        var created =
            System.Text.Json.Nodes.JsonNode.Parse(await account.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var (key, accountId) = (created["apiKey"]!.ToString(), created["id"]!.ToString());

        // 1,100 instances bought on the clock's day, written straight to the database (the API would rate-limit the setup);
        // each costs 10 USD to buy and 10 USD to renew, and the balance left is one cent short of renewing them all.
        const int count = 1100;
        var rules = Domain.Rules.Default;
        var at = Instant.FromUtc(2019, 3, 1, 2, 0);
        var database = Database.Sqlite(_file);
        using (var session = database.Begin())
        {
            var empty = session.Accounts([accountId], forUpdate: true)[accountId];
            var wallet = Domain.Lifecycle.Payg.TopUp(rules, empty, (count * 2000) - 1, [], at).Value;
            session.Save(wallet, at, session.AccountRow(accountId)!.ClockId);
            var money = wallet.Account;
            for (var i = 0; i < count; i++)
            {
                var request = new Domain.Purchases.PurchaseRequest(
                    new Domain.InstanceId($"i-fleet-{i:D4}"), "ecs", "cn-hangzhou", null, "ecs.small",
                    Domain.Catalog.ChargeType.Subscription, 1, AutoRenew: false);
                var bought = Domain.Purchases.Purchase.Buy(rules, money, request, at).Value;
                session.Save(bought, at, session.AccountRow(accountId)!.ClockId);
                money = bought.Account;
            }

            session.Commit();
        }

        async Task<System.Text.Json.Nodes.JsonNode> Account()
        {
            using var got =
                await http.GetAsync(new Uri($"/v1/accounts/{accountId}", UriKind.Relative), TestContext.Current.CancellationToken);
            return System.Text.Json.Nodes.JsonNode.Parse(await got.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        }

        var file = Path.Combine(Path.GetTempPath(), $"tenure-batch-{Guid.NewGuid():N}.txt");
        await File.WriteAllLinesAsync(file, Enumerable.Range(0, count).Select(i => $"i-fleet-{i:D4}"),
            TestContext.Current.CancellationToken);
        try
        {
            // Short by one cent: the one order is refused whole, and no renewal is paid in part.
            var (shortCode, shortOut, shortError) = Tenure(key, "renew", "--batch", file, "--months", "1", "--yes");
            Assert.Equal(ExitCodes.Refused, shortCode);
            Assert.Contains("Total: 11000.00 USD for 1100 instances in one order", shortOut, StringComparison.Ordinal);
            Assert.Contains("insufficient-funds", shortError, StringComparison.Ordinal);
            Assert.DoesNotContain("Paid order", shortOut, StringComparison.Ordinal);
            Assert.Equal((count * 1000) - 1, (await Account())["balance"]!.GetValue<long>());

            var topUp = await http.PostAsync(new Uri($"/v1/accounts/{accountId}/top-ups", UriKind.Relative), Json(new { amount = 1 }),
                TestContext.Current.CancellationToken);
            Assert.True(topUp.IsSuccessStatusCode, await topUp.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            var (code, output, error) = Tenure(key, "renew", "--batch", file, "--months", "1", "--yes");
            Assert.True(code == 0, error);
            Assert.Contains("Total: 11000.00 USD for 1100 instances in one order", output, StringComparison.Ordinal);
            Assert.Single(output.Split('\n'), l => l.StartsWith("Paid order o-", StringComparison.Ordinal));
            Assert.Equal(0, (await Account())["balance"]!.GetValue<long>());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private (int Code, string Out, string Error) TenureAt(string server, string key, params string[] args)
    {
        var error = new StringWriter();
        var console =
            AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(new StringWriter()) });
        return (TenureCli.Run([.. args, "--server", server, "--key", key], console, error), string.Empty, error.ToString());
    }

    private static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
