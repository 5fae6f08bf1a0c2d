using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Tenure.Api.Tests;

/// <summary>
/// The web console in Debian's Chromium with JavaScript off, against the real server on loopback:
/// seed 003's walkthrough (manual and auto renewal, single and batch, unified expiry) and the
/// operator's test clock. Screenshots go to artifacts/screenshots.
/// </summary>
public sealed partial class ConsoleTests(Server server, Browser browser) : IClassFixture<Server>, IClassFixture<Browser>
{
    private readonly HttpClient _operator = server.Client();

    [Fact]
    public async Task R3_1_a_customer_signs_in_and_renews_one_instance_through_its_quote_and_a_second_submit_pays_nothing()
    {
        var (key, _, _) = await Customer("2017-11-08T02:00:00Z", 5000);
        var id = await Buy(key, "ecs", "ecs.small", 1);
        var page = await SignIn(key);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Renewal management" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = id, Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("expiry")).ToHaveTextAsync("2017-12-09 00:00 (31 days left)");
        var timeline = page.GetByTestId("timeline");
        await Expect(timeline.Locator("circle.past[data-kind=purchased]")).ToHaveCountAsync(1);
        await Expect(timeline.Locator("circle.planned[data-kind=expire]")).ToHaveCountAsync(1);
        await Expect(timeline.Locator("circle.planned[data-kind=reminder]")).ToHaveCountAsync(3);
        await Expect(timeline.Locator("circle.planned[data-kind=release]")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("now-marker")).ToHaveCountAsync(1);
        await Shot(page, "instance-page");

        await page.Locator("#r-months").SelectOptionAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote renewal" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Confirm the renewal of {id}" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = id }))
            .ToHaveTextAsync(Cells("2017-12-09 00:00", "2018-01-09 00:00", "10.00 USD"));
        await Expect(page.GetByTestId("quote-total")).ToHaveTextAsync("10.00 USD");
        Assert.Equal("4000", (await Account(key)).Str("balance")); // a quote moves no money
        await Shot(page, "renew-quote");
        var form = await QuoteForm(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 10.00 USD and renew" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Renewed: paid 10.00 USD");
        await Expect(page.GetByTestId("expiry")).ToHaveTextAsync("2018-01-09 00:00 (62 days left)");
        Assert.Equal("3000", (await Account(key)).Str("balance"));

        // The same confirm form submitted again (a double click, a resubmitted page) replays the first payment.
        var again = await page.Context.APIRequest.PostAsync(
            $"{server.BaseAddress}console/instances/{id}/renew", new() { Form = form, MaxRedirects = 0 });
        Assert.Equal(302, again.Status);
        Assert.Equal("3000", (await Account(key)).Str("balance"));
        Assert.Equal("2018-01-08T16:00:00Z", (await server.Client(key).Get($"/v1/instances/{id}")).Body.Str("expiresAt"));
    }

    [Fact]
    public async Task R7_5_batch_renewal_of_the_selected_rows_is_one_quote_and_one_payment_and_the_tabs_follow_the_renewal_mode()
    {
        var (key, _, _) = await Customer("2017-11-08T02:00:00Z", 10_000);
        var a = await Buy(key, "ecs", "ecs.small", 1);
        var b = await Buy(key, "ecs", "ecs.small", 1);
        var c = await Buy(key, "ecs", "ecs.small", 1, autoRenew: true);
        var page = await SignIn(key);

        await Expect(Rows(page)).ToHaveCountAsync(2);
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Auto-renewal \\(") }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Auto-renewal \\(") }))
            .ToHaveAttributeAsync("aria-current", "page");
        await Expect(Rows(page)).ToHaveTextAsync([Cells(c, "auto-renew every 1 month")]);
        await page.GetByRole(AriaRole.Link, new() { Name = "Do not renew" }).ClickAsync();
        await Expect(Rows(page)).ToHaveTextAsync(["No instances in this tab match the filters."]);
        await page.GetByRole(AriaRole.Link, new() { Name = "Manual renewal" }).ClickAsync();
        await Shot(page, "renewals-manual-tab");

        await page.GetByLabel($"Select {a}").CheckAsync();
        await page.GetByLabel($"Select {b}").CheckAsync();
        await page.Locator("#b-months").SelectOptionAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote renewal" }).ClickAsync();
        foreach (var id in new[] { a, b })
        {
            await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = id }))
                .ToHaveTextAsync(Cells("2017-12-09 00:00", "2018-03-09 00:00", "30.00 USD"));
        }

        await Expect(page.GetByTestId("quote-total")).ToHaveTextAsync("60.00 USD");
        await Shot(page, "batch-quote");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 60.00 USD and renew" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(new Regex(
            "^Renewed 2 instance\\(s\\) in order \\S+: 60\\.00 USD \\(0\\.00 USD by coupons, 60\\.00 USD from balance\\)\\.$"));
        Assert.Equal("1000", (await Account(key)).Str("balance"));

        // Batch auto-renew setting (one product), then the auto tab lists all three and exports them.
        await page.GetByLabel($"Select {a}").CheckAsync();
        await page.GetByLabel($"Select {b}").CheckAsync();
        await page.Locator("#s-mode").SelectOptionAsync("auto");
        await page.Locator("#s-months").SelectOptionAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply setting" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Set 2 instance(s) to auto-renew every 1 month.");
        await Expect(Rows(page)).ToHaveTextAsync(["No instances in this tab match the filters."]);
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Auto-renewal \\(") }).ClickAsync();
        await Expect(Rows(page)).ToHaveCountAsync(3);
        var download = await page.RunAndWaitForDownloadAsync(
            () => page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).ClickAsync());
        var csv = await File.ReadAllLinesAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        Assert.Equal(new[]
        {
            $"{a},ecs,ecs.small,cn-hangzhou,running,2018-03-09 00:00,121,auto,1",
            $"{b},ecs,ecs.small,cn-hangzhou,running,2018-03-09 00:00,121,auto,1",
            $"{c},ecs,ecs.small,cn-hangzhou,running,2017-12-09 00:00,31,auto,1",
            "instanceId,product,spec,region,status,expiresAt,daysLeft,renewalMode,autoRenewMonths",
        }.Order(StringComparer.Ordinal), csv.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task R8_3_unified_expiry_goes_through_its_quote_and_a_refusal_reads_as_a_sentence()
    {
        var (key, _, _) = await Customer("2019-03-01T02:00:00Z", 2434);
        var a = await Buy(key, "ecs", "ecs.small", 1); // expires 2019-04-02 00:00
        var page = await SignIn(key);

        await page.GetByRole(AriaRole.Button, new() { Name = "Quote renewal" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Select at least one instance.");

        await page.GetByLabel($"Select {a}").CheckAsync();
        await page.GetByLabel("Day of month").FillAsync("15");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote unified expiry" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = a }))
            .ToHaveTextAsync(Cells("2019-04-02 00:00", "2019-04-15 00:00", "4.34 USD")); // ceil(1000 × 13 / 30)
        await Shot(page, "unify-quote");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 4.34 USD and unify" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Unified 1 instance(s) on day 15: paid 4.34 USD.");
        Assert.Equal("1000", (await Account(key)).Str("balance"));
        Assert.Equal("2019-04-14T16:00:00Z", (await server.Client(key).Get($"/v1/instances/{a}")).Body.Str("expiresAt"));

        // R7.3, R13.4: 20.00 is not covered by 10.00, and the quote says so before any Pay (none is offered); nothing is paid.
        await page.GetByLabel($"Select {a}").CheckAsync();
        await page.Locator("#b-months").SelectOptionAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote renewal" }).ClickAsync();
        await Expect(page.GetByTestId("cannot-pay"))
            .ToContainTextAsync("coupons and balance cover 10.00 USD of 20.00 USD, 10.00 USD short.");
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Pay") })).ToHaveCountAsync(0);
        await Expect(page.Locator("body")).Not.ToContainTextAsync("Exception");
        Assert.Equal("1000", (await Account(key)).Str("balance"));
    }

    [Fact]
    public async Task R4_4_the_operator_advances_a_test_clock_with_one_click_and_sees_the_instance_stop_at_expiry()
    {
        var (key, accountId, clockId) = await Customer("2017-11-08T02:00:00Z", 1000);
        var id = await Buy(key, "ecs", "ecs.small", 1); // expires 2017-12-09 00:00; the balance is now 0
        var page = await SignIn(Server.OperatorKey);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Operator", Exact = true })).ToBeVisibleAsync();

        var advance = page.GetByRole(AriaRole.Form, new() { Name = $"Advance {clockId}" });
        await advance.GetByRole(AriaRole.Button, new() { Name = "+1 month" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status))
            .ToHaveTextAsync($"Advanced {clockId} from 2017-11-08 10:00 to 2017-12-08 10:00: 3 event(s) processed.");
        await Expect(page.GetByTestId("clock-instances").GetByRole(AriaRole.Row).Filter(new() { HasText = id }))
            .ToContainTextAsync("running");

        await advance.GetByRole(AriaRole.Button, new() { Name = "+1 day" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status))
            .ToHaveTextAsync($"Advanced {clockId} from 2017-12-08 10:00 to 2017-12-09 10:00: 2 event(s) processed.");
        await Expect(page.GetByTestId("clock-instances").GetByRole(AriaRole.Row).Filter(new() { HasText = id }))
            .ToContainTextAsync("stopped");
        await Shot(page, "operator-clock-advanced");

        await page.GetByTestId("clock-instances").GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync();
        await Expect(page.GetByTestId("status")).ToHaveTextAsync("stopped");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "stopped" }).First).ToContainTextAsync("2017-12-09 00:00");

        // Top up with a typed decimal amount: minor units, exactly.
        await page.GotoAsync($"{server.BaseAddress}console/operator");
        await page.Locator("#t-account").SelectOptionAsync(accountId);
        await page.Locator("#t-amount").FillAsync("25.50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Top up" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Topped up {accountId} by 25.50 USD; balance 25.50 USD.");
        Assert.Equal("2550", (await Account(key)).Str("balance"));
    }

    [Fact]
    public async Task R11_2_the_usage_chart_draws_the_alarm_threshold_and_R8_7_the_account_page_shows_the_shortfall()
    {
        var (key, _, _) = await Customer("2017-11-08T02:00:00Z", 5000);
        var id = await Buy(key, "mqtt", "mqtt.basic.1k", 1, autoRenew: true); // 50.00 a month, balance now 0
        var samples = new[]
        {
            new { at = "2017-11-08T00:30:00Z", tps = 400, subscriptions = 10, connections = 10 },
            new { at = "2017-11-08T01:30:00Z", tps = 800, subscriptions = 10, connections = 10 },
        };
        Assert.Equal(200, (await server.Client(key).Post($"/v1/instances/{id}/usage", new { samples })).Status);
        var page = await SignIn(key);

        await page.GotoAsync($"{server.BaseAddress}console/instances/{id}");
        var tps = page.GetByTestId("usage-tps");
        await Expect(tps)
            .ToHaveAttributeAsync("aria-label", "tps: hourly maxima of the last day against the limit 1000 and the alarm at 70% (700)");
        await Expect(tps.GetByTestId("threshold")).ToHaveCountAsync(1);
        await Expect(tps.Locator("circle[fill='#b3261e']")).ToHaveCountAsync(1); // the 800 over 700, not the 400
        await Shot(page, "usage-chart");

        await page.GetByRole(AriaRole.Link, new() { Name = "Account" }).ClickAsync();
        await Expect(page.GetByTestId("balance")).ToHaveTextAsync("0.00 USD");
        await Expect(page.GetByTestId("shortfall"))
            .ToHaveTextAsync("Shortfall of 50.00 USD: top up before the charges below, or they fail.");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = id }).First).ToContainTextAsync("2017-12-06 08:00");
        await Shot(page, "account-page");
    }

    [Fact]
    public async Task R13_1_a_wrong_key_is_refused_at_sign_in_and_sign_out_ends_the_session()
    {
        var page = await browser.Page();
        await page.GotoAsync($"{server.BaseAddress}console/renewals");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GetByLabel("API key").FillAsync("tnr_000000000000_00000000000000000000000000000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That API key is not valid.");

        var (key, _, _) = await Customer("2019-03-01T02:00:00Z", 1000);
        page = await SignIn(key);
        await Expect(page.GetByText("Signed in as Console customer")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GotoAsync($"{server.BaseAddress}console/account");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task R8_4_R4_7_R6_1_instance_actions_from_its_page_set_the_mode_change_the_spec_and_unsubscribe_with_the_refund()
    {
        var (key, _, clockId) = await Customer("2019-03-01T02:00:00Z", 310_000);
        var ecs = await Buy(key, "ecs", "ecs.small", 1);
        var rocket = await Buy(key, "rocketmq", "rocketmq.platinum.2k", 1);
        var page = await SignIn(key);

        await page.GotoAsync($"{server.BaseAddress}console/instances/{ecs}");
        await page.Locator("#m-mode").SelectOptionAsync("Auto");
        await page.Locator("#m-months").SelectOptionAsync("3");
        await page.GetByRole(AriaRole.Group, new() { Name = "Renewal mode" })
            .GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Renewal set to auto-renew every 3 months.");
        await page.Locator("#c-spec").SelectOptionAsync("ecs.medium");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote spec change" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 10.67 USD and change the spec" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Spec is now ecs.medium; paid 10.67 USD.");
        Assert.Equal("ecs.medium", (await server.Client(key).Get($"/v1/instances/{ecs}")).Body.Str("spec"));

        // R8.4: bought 2019-03-01 10:00 (expires 04-02, D = 32), unsubscribed 03-10 15:00 (U = 22): floor(300000 × 22 / 32) = 206250.
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-03-10T07:00:00Z" })).Status);
        await page.GotoAsync($"{server.BaseAddress}console/instances/{rocket}");
        await page.Locator("#p-action").SelectOptionAsync("DowngradeToStandard");
        await page.GetByRole(AriaRole.Group, new() { Name = "At expiry" }).GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("At expiry: downgrade to standard.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Tick the box to confirm the unsubscription.");
        await page.GetByLabel("I understand").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Unsubscribed; refunded 2062.50 USD to the balance.");
        // R6.7: with "downgrade to standard" chosen, the unsubscribed instance goes on as Standard PAYG instead of being released.
        var after = (await server.Client(key).Get($"/v1/instances/{rocket}")).Body;
        Assert.Equal(("running", "standard", "payg"), (after.Str("status"), after.Str("edition"), after.Str("chargeType")));
        await Expect(page.GetByTestId("status")).ToHaveTextAsync("running");
        // 310000 − 1000 (ECS) − 300000 (RocketMQ) − ceil(1000 × 32 / 30) = 1067 (the upgrade for 32 days) + 206250 (the refund).
        Assert.Equal("214183", (await Account(key)).Str("balance"));
        await Shot(page, "instance-unsubscribed");
    }

    [Fact]
    public async Task R6_2_the_operator_completes_a_reviewed_upgrade_from_the_list()
    {
        var (key, _, _) = await Customer("2019-03-01T02:00:00Z", 1_000_000);
        var id = await Buy(key, "mqtt", "mqtt.platinum.50k", 1);
        Assert.Equal(202, (await server.Client(key).Post($"/v1/instances/{id}/spec-change", new { spec = "mqtt.platinum.100k" })).Status);
        var page = await SignIn(Server.OperatorKey);

        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = id });
        await Expect(row).ToHaveTextAsync(Cells(id, "mqtt.platinum.50k", "mqtt.platinum.100k", "2019-03-01 10:00"));
        await row.GetByRole(AriaRole.Button, new() { Name = "Complete" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Reviewed upgrade completed.");
        Assert.Equal("mqtt.platinum.100k", (await server.Client(key).Get($"/v1/instances/{id}")).Body.Str("spec"));
    }

    [Fact]
    public async Task R12_the_operator_creates_a_clock_and_an_account_on_it_whose_key_signs_in_and_grants_a_coupon()
    {
        var page = await SignIn(Server.OperatorKey);
        await page.GetByLabel("Frozen time (billing zone)").FillAsync("2019-03-01T10:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create test clock" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status))
            .ToHaveTextAsync(new Regex("^Created test clock clk-[0-9a-f]+ at 2019-03-01 10:00\\.$"));
        var clockId = Regex.Match(await page.GetByRole(AriaRole.Status).InnerTextAsync(), "clk-[0-9a-f]+").Value;

        await page.GetByLabel("Name").FillAsync("Grace");
        await page.GetByLabel("E-mail").FillAsync("grace@example.com");
        await page.Locator("#a-clock").SelectOptionAsync(clockId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        var created = await page.GetByRole(AriaRole.Status).InnerTextAsync();
        var (accountId, key) = (Regex.Match(created, "acc-[0-9a-f]+").Value, Regex.Match(created, "tnr_[0-9a-f]+_[0-9a-f]+").Value);
        Assert.Equal($"Created account {accountId} (Grace). Its API key, shown only now: {key}", created);
        Assert.DoesNotContain(key, page.Url, StringComparison.Ordinal);

        await page.Locator("#g-account").SelectOptionAsync(accountId);
        await page.Locator("#g-amount").FillAsync("12.34");
        await page.Locator("#g-expires").FillAsync("2019-04-01T00:00");
        await page.Locator("#g-product").SelectOptionAsync("ecs");
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant coupon" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status))
            .ToHaveTextAsync(new Regex($"^Granted coupon cpn-[0-9a-f]+ of 12\\.34 USD to {accountId}\\.$"));
        await page.Locator("#g-amount").FillAsync("0.001");
        await page.Locator("#g-expires").FillAsync("2019-04-01T00:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant coupon" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Amount: enter an amount like 100 or 99.50.");

        var customer = await SignIn(key);
        await customer.GetByRole(AriaRole.Link, new() { Name = "Account" }).ClickAsync();
        await Expect(customer.GetByRole(AriaRole.Row).Filter(new() { HasText = "cpn-" }))
            .ToHaveTextAsync(Cells("12.34 USD", "12.34 USD", "2019-04-01 00:00", "ecs"));
        var coupon = (await server.Client(key).Get("/v1/account")).Body!["coupons"]![0]!;
        Assert.Equal(("1234", "2019-03-31T16:00:00Z"), (coupon.Str("amount"), coupon.Str("expiresAt")));
    }

    /// <summary>A row's text with these cells in this order (cells are separated by white space and newlines).</summary>
    private static Regex Cells(params string[] cells) => new(string.Join(@"[\s\S]*", cells.Select(Regex.Escape)));

    private static ILocator Rows(IPage page) => page.Locator("form[aria-label='Selected instances'] tbody tr");

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static Task Shot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Screenshots, $"{name}.png"), FullPage = true });

    private async Task<IPage> SignIn(string key, bool javaScript = false)
    {
        var page = await browser.Page(javaScript);
        await page.GotoAsync($"{server.BaseAddress}console");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        return page;
    }

    /// <summary>The quote page's confirm form, as a browser would submit it.</summary>
    private static async Task<IFormData> QuoteForm(IPage page)
    {
        var form = page.Context.APIRequest.CreateFormData();
        foreach (var input in await page.Locator("form input[type=hidden]").AllAsync())
        {
            form.Append((await input.GetAttributeAsync("name"))!, (await input.GetAttributeAsync("value"))!);
        }

        return form;
    }

    private async Task<System.Text.Json.Nodes.JsonNode?> Account(string key) => (await server.Client(key).Get("/v1/account")).Body;

    private async Task<(string Key, string AccountId, string ClockId)> Customer(string frozenUtc, long balance)
    {
        var clock = await _operator.Post("/v1/test-clocks", new { frozenTime = frozenUtc });
        var account = await _operator.Post(
            "/v1/accounts", new { name = "Console customer", email = "c@example.com", testClockId = clock.Body.Str("id") });
        var accountId = account.Body.Str("id");
        Assert.Equal(201, (await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = balance })).Status);
        return (account.Body.Str("apiKey"), accountId, clock.Body.Str("id"));
    }

    private async Task<string> Buy(string key, string product, string spec, int months, bool autoRenew = false)
    {
        var bought = await server.Client(key).Post(
            "/v1/instances", new { product, region = "cn-hangzhou", spec, chargeType = "subscription", periodMonths = months, autoRenew });
        Assert.Equal(201, bought.Status);
        return bought.Body.Str("id");
    }
}
