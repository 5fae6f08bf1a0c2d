using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using NodaTime;
using NodaTime.Testing;
using Spectre.Console;
using Tenure.Api;
using Tenure.Cli;
using Tenure.Storage;

namespace Tenure.Engine.Tests;

/// <summary>
/// The CLI as people use it (issue 12): in the billing zone's time, piped into grep and on a terminal, with operator
/// commands, and never paying what it did not price. A real server on loopback; in-process runs and the built
/// <c>tenure</c> as a process, piped and on a pseudo-terminal.
/// </summary>
public sealed partial class CliTerminalTests : IAsyncLifetime
{
    private const string Operator = "op-terminal";
    private readonly string _file = Fixtures.SqliteFile();
    private WebApplication? _app;
    private string _server = "";

    public async ValueTask InitializeAsync()
    {
        var db = Database.Sqlite(_file);
        db.Migrate();
        _app = TenureApi.Build(new ApiOptions(db, Operator, new FakeClock(Instant.FromUtc(2026, 11, 23, 0, 0)), RunEngine: false),
            ["--urls", "http://127.0.0.1:0"]);
        await _app.StartAsync();
        _server = _app.Urls.First();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        Database.DeleteSqliteFiles(_file);
    }

    [Fact]
    public void R1_1_times_are_in_the_billing_zone_by_default_and_utc_with_the_flag_and_the_list_has_days_left()
    {
        var (key, ids, _) = Customer(2);

        // Bought 2019-03-01 10:00 Shanghai time for a month: expiry is 2019-04-02 00:00 there, 32 days ahead.
        var (_, list, _) = Tenure(key, "instances", "list");
        Assert.Equal("Instance\tProduct\tSpec\tRegion\tStatus\tExpires\tDays left\tMode\tAuto-renew", list.Split('\n')[0]);
        Assert.Contains(
            $"{ids[0]}\tecs\tecs.small\tcn-hangzhou\trunning\t2019-04-02 00:00 +08:00\t32\tmanual\t-",
            list, StringComparison.Ordinal);

        // Unify on the 1st: the 1st at 00:00 in the billing zone, not "…T16:00:00Z of the 30th".
        var (code, unified, error) = Tenure(key, "unify", "--day", "1", ids[0], ids[1], "--yes");
        Assert.True(code == 0, error);
        Assert.Contains($"{ids[0]}\t2019-04-02 00:00 +08:00\t2019-05-01 00:00 +08:00\t9.67 USD", unified, StringComparison.Ordinal);
        Assert.Contains("Total: 19.34 USD for 2 instances in one order", unified, StringComparison.Ordinal);
        Assert.Contains("Coupons and balance cover: 19.34 USD", unified, StringComparison.Ordinal);
        Assert.Contains("Paid 19.34 USD: 2 instance(s) now expire on day 1.", unified, StringComparison.Ordinal);

        var (_, utc, _) = Tenure(key, "instances", "list", "--utc");
        Assert.Contains(
            $"{ids[0]}\tecs\tecs.small\tcn-hangzhou\trunning\t2019-04-30T16:00:00Z\t61\tmanual\t-",
            utc, StringComparison.Ordinal);
        var (_, json, _) = Tenure(key, "instances", "list", "--output", "json");
        var items = JsonNode.Parse(json)!.AsArray();
        Assert.Equal(
            (2, "2019-04-30T16:00:00Z", 61), (items.Count, items[0]!["expiresAt"]!.ToString(), items[0]!["daysLeft"]!.GetValue<int>()));

        // An upgrade is quoted like every charge: the price for the days left, what the balance covers, then the payment.
        var (upgradeCode, upgrade, upgradeError) = Tenure(key, "spec-change", ids[0], "--spec", "ecs.medium", "--yes");
        Assert.True(upgradeCode == 0, upgradeError);
        Assert.Contains("Total: 20.34 USD", upgrade, StringComparison.Ordinal);
        Assert.Contains("Coupons and balance cover: 20.34 USD", upgrade, StringComparison.Ordinal);
        Assert.Contains("ecs.medium", upgrade, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Piped_instances_list_keeps_each_row_whole_for_grep_and_a_terminal_gets_a_table()
    {
        var (key, ids, _) = Customer(1);
        string[] args = ["instances", "list", "--server", _server, "--key", key];

        var (code, piped, error) = await CliProcess.Piped(args);
        Assert.True(code == 0, error);
        var row = Assert.Single(piped.Split('\n'), l => l.Contains(ids[0], StringComparison.Ordinal)); // what `| grep ID` finds
        Assert.Equal(
            [ids[0], "ecs", "ecs.small", "cn-hangzhou", "running", "2019-04-02 00:00 +08:00", "32", "manual", "-"],
            row.TrimEnd('\r').Split('\t'));

        var (_, json, _) = await CliProcess.Piped([.. args, "--output", "json"]);
        Assert.Equal(ids[0], JsonNode.Parse(json)!.AsArray().Single()!["id"]!.ToString());

        var (terminalCode, table, _) = await CliProcess.OnTerminal(args);
        Assert.Equal(0, terminalCode);
        Assert.Matches($"│ {ids[0]} +│ ecs +│ ecs.small +│ cn-hangzhou +│ running +"
            + "│ 2019-04-02 00:00 \\+08:00 +│ 32 +│", table);
        Assert.Contains("Days left", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task R13_4_a_confirmation_declined_on_a_terminal_pays_nothing_and_exits_non_zero()
    {
        var (key, ids, _) = Customer(1);
        var (code, terminal, _) = await CliProcess.OnTerminal(["renew", ids[0], "--months", "1", "--server", _server, "--key", key], "n\n");
        Assert.Equal(ExitCodes.Declined, code);
        Assert.Contains("2019-04-02 00:00 +08:00", terminal, StringComparison.Ordinal);
        Assert.Contains("Pay 10.00 USD? [y/N]", terminal, StringComparison.Ordinal);
        Assert.Contains("error: not paid: the quote was declined.", terminal, StringComparison.Ordinal);
        Assert.DoesNotContain("Paid order", terminal, StringComparison.Ordinal);
        var (_, list, _) = Tenure(key, "instances", "list");
        Assert.Contains($"{ids[0]}\tecs\tecs.small\tcn-hangzhou\trunning\t2019-04-02 00:00 +08:00", list, StringComparison.Ordinal);
    }

    [Fact]
    public void R13_4_a_quote_gone_stale_before_yes_pays_nothing_and_says_what_changed()
    {
        var (key, ids, _) = Customer(1);

        // While the customer reads the quote, another client renews the same instance; then the customer answers yes.
        var meanwhile = new Answer(() => Assert.Equal(0, Tenure(key, "renew", ids[0], "--months", "1", "--yes").Code), "y");
        var (code, output, error) = Tenure(key, meanwhile, "renew", ids[0], "--months", "1");
        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains("error: the price or expiry changed since the quote; nothing was paid.", error, StringComparison.Ordinal);
        Assert.Contains($"{ids[0]}: new expiry 2019-05-02 00:00 +08:00 → 2019-06-02 00:00 +08:00", error, StringComparison.Ordinal);
        Assert.Contains("The new quote:", output, StringComparison.Ordinal);
        Assert.Contains($"{ids[0]}\t2019-05-02 00:00 +08:00\t2019-06-02 00:00 +08:00\t10.00 USD", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Paid order", output, StringComparison.Ordinal);
        var (_, list, _) = Tenure(key, "instances", "list");
        Assert.Contains($"{ids[0]}\tecs\tecs.small\tcn-hangzhou\trunning\t2019-05-02 00:00 +08:00", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_errors_and_refusals_read_as_sentences_and_help_never_shows_the_key()
    {
        var (key, ids, _) = Customer(1);
        var (code, _, error) = Tenure(key, "renew", ids[0], "--months", "three");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: --months must be a whole number of months, e.g. 3 ('three' is not).", error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.Int32", error, StringComparison.Ordinal);

        var (refused, _, problem) = Tenure(key, "renew", ids[0], "--months", "10", "--yes");
        Assert.Equal(ExitCodes.Refused, refused);
        Assert.Equal(
            "error: Period not allowed: ecs renews for 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36 months, not 10. (invalid-period, 422)",
            problem.Trim());
        var (_, _, badTime) = Tenure(Operator, "clock", "create", "--at", "next tuesday");
        Assert.StartsWith("error: --at 'next tuesday' is not a time", badTime, StringComparison.Ordinal);

        var (helpCode, help, _) = await CliProcess.Piped(["renew", "--help"], ("TENURE_KEY", "tnr_never_printed"));
        Assert.Equal(0, helpCode);
        Assert.Contains("--key", help, StringComparison.Ordinal);
        Assert.DoesNotContain("tnr_never_printed", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operator_commands_create_accounts_top_up_grant_coupons_list_clocks_and_manage_keys()
    {
        var (_, clockOut, _) = Tenure(Operator, "clock", "create", "--at", "2019-03-01 10:00");
        var clock = clockOut.Split(' ')[0];
        Assert.Equal($"{clock} frozen at 2019-03-01 10:00 +08:00", clockOut.Trim());
        var (_, clocks, _) = Tenure(Operator, "clock", "list");
        Assert.Contains($"{clock}\t2019-03-01 10:00 +08:00", clocks, StringComparison.Ordinal);

        var (createCode, created, createError) =
            Tenure(Operator, "accounts", "create", "--name", "Grace", "--email", "g@example.com", "--clock", clock);
        Assert.True(createCode == 0, createError);
        var match = AccountLine().Match(created);
        Assert.True(match.Success, created);
        var (account, key) = (match.Groups[1].Value, match.Groups[2].Value);
        var topUp = Tenure(Operator, "accounts", "top-up", account, "--amount", "50").Out.Trim();
        Assert.Equal("Topped up 50.00 USD; balance 50.00 USD.", topUp);
        var coupon = Tenure(Operator, "accounts", "coupon", account, "--amount", "12.50", "--expires", "2019-12-31", "--product", "ecs")
            .Out.Trim();
        Assert.Matches(@"^Coupon cpn-\S+: 12\.50 USD for ecs, expires 2019-12-31 00:00 \+08:00\.$", coupon);
        Assert.Contains(
            $"{account}\tGrace\tg@example.com\t50.00 USD\t{clock}", Tenure(Operator, "accounts",
            "list").Out, StringComparison.Ordinal);
        var (_, badAmount, amountError) = Tenure(Operator, "accounts", "top-up", account, "--amount", "5.005");
        Assert.Equal(string.Empty, badAmount);
        Assert.StartsWith("error: --amount must be a positive amount with at most two decimals", amountError, StringComparison.Ordinal);

        var issued = Tenure(Operator, "keys", "create", account).Out;
        var keyMatch = KeyLine().Match(issued);
        Assert.True(keyMatch.Success, issued);
        var (keyId, second) = (keyMatch.Groups[1].Value, keyMatch.Groups[2].Value);
        Assert.Equal(0, Tenure(second, "forecast").Code);
        var (_, keys, _) = Tenure(Operator, "keys", "list", account);
        Assert.Equal(3, keys.Trim().Split('\n').Length); // the header, the account's first key and the new one
        Assert.Contains($"{keyId}\t", keys, StringComparison.Ordinal);
        var revocation = Tenure(Operator, "keys", "revoke", account, keyId).Out.Trim();
        Assert.Matches(@$"^Key {keyId} revoked at 20\d\d-\d\d-\d\d \d\d:\d\d \+08:00\.$", revocation);
        var (revoked, _, revokedError) = Tenure(second, "forecast");
        Assert.Equal((ExitCodes.Refused, true), (revoked, revokedError.Contains("(unauthorized, 401)", StringComparison.Ordinal)));
        Assert.Equal(0, Tenure(key, "forecast").Code);

        var (_, help, _) = await CliProcess.Piped(["accounts", "--help"]);
        Assert.Contains("top-up", help, StringComparison.Ordinal);
        Assert.Contains("coupon", help, StringComparison.Ordinal);
    }

    [Fact]
    public void R13_4_an_edition_change_and_a_renew_and_downgrade_show_price_coverage_and_shortfall_before_paying()
    {
        var (key, _, clock) = Customer(0);
        var (_, medium, _) =
            Tenure(key, "buy", "--product", "ecs", "--region", "cn-hangzhou", "--spec", "ecs.medium", "--months", "1", "--yes");
        var ecs = Regex.Match(medium, @"^Bought (\S+): ecs ecs\.medium", RegexOptions.Multiline).Groups[1].Value;
        Assert.Equal(0, Tenure(Operator, "clock", "advance", clock, "--to", "2019-03-20").Code); // the window opens 15 days before expiry
        var (downCode, down, downError) = Tenure(key, "renew-downgrade", ecs, "--months", "1", "--spec", "ecs.small", "--yes");
        Assert.True(downCode == 0, downError);
        Assert.Contains($"{ecs}\t2019-04-02 00:00 +08:00\t2019-05-02 00:00 +08:00\t10.00 USD", down, StringComparison.Ordinal);
        Assert.Contains("Takes effect: 2019-04-02 00:00 +08:00", down, StringComparison.Ordinal);
        Assert.Contains($"{ecs}: ecs.medium until 2019-05-02 00:00 +08:00; paid 10.00 USD.", down, StringComparison.Ordinal);

        // R6.6: Standard PAYG to Platinum is priced first; the 70 USD left do not cover 3,000 USD, and the quote says so.
        var (_, payg, _) = Tenure(key, "buy", "--product", "rocketmq", "--region", "cn-hangzhou", "--edition", "standard",
            "--spec", "rocketmq.standard", "--payg", "--yes");
        var rocket = Regex.Match(payg, @"^Bought (\S+): rocketmq rocketmq\.standard", RegexOptions.Multiline).Groups[1].Value;
        var (code, edition, refusal) = Tenure(key, "edition", rocket, "--edition", "platinum", "--months", "1", "--yes");
        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains($"{rocket}\t2019-03-20 00:00 +08:00\t", edition, StringComparison.Ordinal);
        Assert.Contains("Total: 3000.00 USD", edition, StringComparison.Ordinal);
        Assert.Contains("Coupons and balance cover: 70.00 USD", edition, StringComparison.Ordinal);
        Assert.Contains("Shortfall: 2930.00 USD", edition, StringComparison.Ordinal);
        Assert.Contains("(insufficient-funds, 402)", refusal, StringComparison.Ordinal);
    }

    /// <summary>
    /// An account on its own test clock at 2019-03-01 10:00 Shanghai time, 100 USD, and <paramref name="count"/> ECS bought with the CLI.
    /// </summary>
    private (string Key, List<string> Ids, string Clock) Customer(int count)
    {
        var clock = Tenure(Operator, "clock", "create", "--at", "2019-03-01T02:00:00Z").Out.Split(' ')[0];
        var created = AccountLine()
            .Match(Tenure(Operator, "accounts", "create", "--name", "Ada", "--email", "a@example.com", "--clock", clock).Out);
        var (account, key) = (created.Groups[1].Value, created.Groups[2].Value);
        Assert.Equal(0, Tenure(Operator, "accounts", "top-up", account, "--amount", "100").Code);
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var (code, bought, error) =
                Tenure(key, "buy", "--product", "ecs", "--region", "cn-hangzhou", "--spec", "ecs.small", "--months", "1", "--yes");
            Assert.True(code == 0, error);
            Assert.Contains("Total: 10.00 USD", bought, StringComparison.Ordinal);
            var line = BoughtLine().Match(bought);
            Assert.True(line.Success, bought);
            ids.Add(line.Groups[1].Value);
        }

        return (key, ids, clock);
    }

    private (int Code, string Out, string Error) Tenure(string key, params string[] args) => Tenure(key, null, args);

    private (int Code, string Out, string Error) Tenure(string key, TextReader? input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        var code = TenureCli.Run([.. args, "--server", _server, "--key", key], console, error, input: input);
        return (code, output.ToString(), error.ToString());
    }

    [GeneratedRegex(@"^Account (\S+) \(.*\); API key, shown once: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex AccountLine();

    [GeneratedRegex(@"^Key (\S+), shown once: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"^Bought (\S+): ecs ecs\.small, expires 2019-04-02 00:00 \+08:00; paid 10\.00 USD\.$", RegexOptions.Multiline)]
    private static partial Regex BoughtLine();

    /// <summary>What a user types at the confirmation, after <paramref name="meanwhile"/> happened elsewhere.</summary>
    private sealed class Answer(Action meanwhile, string typed) : TextReader
    {
        public override string? ReadLine()
        {
            meanwhile();
            return typed;
        }
    }
}
