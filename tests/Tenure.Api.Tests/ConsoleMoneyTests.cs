using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Tenure.Api.Tests;

/// <summary>
/// Issue 12 in the browser (JavaScript off): no payment without a price (R13.4), forms from the instance's actions (R8.10),
/// and seed 003's renewal management whole: tab counts, row buttons, select-all by filter, periods, purchase, settings.
/// </summary>
public sealed partial class ConsoleTests
{
    private const string Stale = "The price or expiry changed; here is the new quote. Nothing was charged.";

    [Fact]
    public async Task R13_4_a_spec_change_is_quoted_with_its_coverage_before_it_pays_and_its_history_shows_money()
    {
        var (key, _, _) = await Customer("2019-03-01T02:00:00Z", 5000);
        var ecs = await Buy(key, "ecs", "ecs.small", 1); // expires 2019-04-02 00:00; balance 40.00
        var page = await SignIn(key);
        await page.GotoAsync($"{server.BaseAddress}console/instances/{ecs}");

        // No paid choice is the default: the drop-down starts on "Choose a spec", and the button only asks for a quote.
        Assert.Equal(string.Empty, await page.Locator("#c-spec").InputValueAsync());
        await page.Locator("#c-spec").SelectOptionAsync("ecs.medium");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote spec change" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Confirm the spec change of {ecs}" })).ToBeVisibleAsync();
        // R6.1: ceil(1000 × 32 / 30) for the 32 days left; the expiry stays.
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = ecs }))
            .ToHaveTextAsync(Cells("2019-04-02 00:00", "2019-04-02 00:00", "10.67 USD"));
        await Expect(page.GetByTestId("covered")).ToHaveTextAsync("10.67 USD");
        await Expect(page.GetByTestId("quote-shortfall")).ToHaveTextAsync("0.00 USD");
        Assert.Equal("4000", (await Account(key)).Str("balance"));
        await Shot(page, "spec-change-quote");

        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 10.67 USD and change the spec" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Spec is now ecs.medium; paid 10.67 USD.");
        Assert.Equal("2933", (await Account(key)).Str("balance"));
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "upgraded" }))
            .ToContainTextAsync("ecs.small → ecs.medium, paid 10.67 USD");
    }

    [Fact]
    public async Task R13_4_a_quote_gone_stale_after_another_renewal_shows_the_new_quote_and_charges_nothing()
    {
        var (key, _, _) = await Customer("2017-11-08T02:00:00Z", 5000);
        var id = await Buy(key, "ecs", "ecs.small", 1); // expires 2017-12-09 00:00; balance 40.00
        var page = await SignIn(key);
        await page.GotoAsync($"{server.BaseAddress}console/instances/{id}");
        await page.Locator("#r-months").SelectOptionAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote renewal" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = id }))
            .ToHaveTextAsync(Cells("2017-12-09 00:00", "2018-01-09 00:00", "10.00 USD"));

        // Another client renews meanwhile: the shown quote no longer says what Pay would do.
        Assert.Equal(200, (await server.Client(key).Post($"/v1/instances/{id}/renew", new { periodMonths = 1 })).Status);
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 10.00 USD and renew" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(Stale);
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = id }))
            .ToHaveTextAsync(Cells("2018-01-09 00:00", "2018-02-09 00:00", "10.00 USD"));
        Assert.Equal("3000", (await Account(key)).Str("balance"));
        await Shot(page, "stale-quote");

        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 10.00 USD and renew" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("expires 2018-02-09 00:00.");
        Assert.Equal("2000", (await Account(key)).Str("balance"));
    }

    [Fact]
    public async Task R13_4_a_quote_the_account_cannot_pay_says_so_before_pay_and_a_payment_without_a_quote_is_refused()
    {
        var (key, _, _) = await Customer("2017-11-08T02:00:00Z", 1500);
        var id = await Buy(key, "ecs", "ecs.small", 1); // balance 5.00
        var page = await SignIn(key);
        await page.GotoAsync($"{server.BaseAddress}console/instances/{id}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote renewal" }).ClickAsync();
        await Expect(page.GetByTestId("quote-total")).ToHaveTextAsync("10.00 USD");
        await Expect(page.GetByTestId("cannot-pay")).ToHaveTextAsync(
            "This account cannot pay this quote: coupons and balance cover 5.00 USD of 10.00 USD, 5.00 USD short. "
            + "Top up, then ask for a new quote.");
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Pay") })).ToHaveCountAsync(0);

        // A Pay form made by hand, without the quote's ID, is refused by the console and moves nothing.
        var form = page.Context.APIRequest.CreateFormData();
        form.Append("months", "1");
        form.Append("back", $"/console/instances/{id}");
        var forged = await page.Context.APIRequest.PostAsync($"{server.BaseAddress}console/instances/{id}/renew",
            new() { Form = form, MaxRedirects = 0 });
        Assert.Equal(302, forged.Status);
        Assert.Contains(Uri.EscapeDataString("Ask for a quote first"), forged.Headers["location"], StringComparison.Ordinal);
        Assert.Equal("500", (await Account(key)).Str("balance"));
    }

    [Fact]
    public async Task R8_10_the_instance_page_offers_only_what_its_actions_allow_and_R6_6_rocketmq_standard_payg_goes_platinum_in_place()
    {
        var (key, _, clockId) = await Customer("2019-03-01T02:00:00Z", 1_000_000);
        var mqtt = await Buy(key, "mqtt", "mqtt.basic.5k", 1);
        var platinum = await Buy(key, "rocketmq", "rocketmq.platinum.2k", 1);
        var ecs = await Buy(key, "ecs", "ecs.medium", 1); // expires 2019-04-02 00:00
        var payg = await server.Client(key).Post(
            "/v1/instances", new { product = "rocketmq", region = "cn-hangzhou", spec = "rocketmq.standard", chargeType = "payg" });
        Assert.Equal(201, payg.Status);
        var standard = payg.Body.Str("id");
        var page = await SignIn(key);

        await page.GotoAsync($"{server.BaseAddress}console/instances/{mqtt}");
        await Expect(page.GetByRole(AriaRole.Group, new() { Name = "Renew", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("#e-edition")).ToHaveCountAsync(0); // no MQTT edition change to platinum
        await Expect(page.Locator("#d-spec")).ToHaveCountAsync(0); // no MQTT renew-and-downgrade
        await page.GotoAsync($"{server.BaseAddress}console/instances/{platinum}");
        await Expect(page.Locator("#e-edition")).ToHaveCountAsync(0); // no RocketMQ platinum → standard

        // R6.4: renew-and-downgrade opens in the last 15 days, and offers only the smaller spec.
        await page.GotoAsync($"{server.BaseAddress}console/instances/{ecs}");
        await Expect(page.Locator("#d-spec")).ToHaveCountAsync(0);
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-03-25T02:00:00Z" })).Status);
        await page.ReloadAsync();
        Assert.Equal(["", "ecs.small"], await page.Locator("#d-spec option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));

        await page.GotoAsync($"{server.BaseAddress}console/instances/{standard}");
        Assert.Equal(["", "platinum"], await page.Locator("#e-edition option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));
        await page.Locator("#e-edition").SelectOptionAsync("platinum");
        await page.Locator("#e-months").SelectOptionAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote edition change" }).ClickAsync();
        await Expect(page.GetByTestId("quote-total")).ToHaveTextAsync("3000.00 USD");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 3000.00 USD and change the edition" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Edition is now platinum, same instance ID; paid 3000.00 USD;");
        var after = (await server.Client(key).Get($"/v1/instances/{standard}")).Body;
        Assert.Equal(("platinum", "subscription"), (after.Str("edition"), after.Str("chargeType")));
    }

    [Fact]
    public async Task R4_4_a_stopped_instance_shows_when_it_is_released_offers_no_auto_renewal_and_planned_attempts_say_which_they_are()
    {
        var (key, _, clockId) = await Customer("2017-11-08T02:00:00Z", 2000);
        var auto = await Buy(key, "ecs", "ecs.small", 1, autoRenew: true); // expires 2017-12-09 00:00
        var manual = await Buy(key, "ecs", "ecs.small", 1); // the same; the balance is now 0
        var page = await SignIn(key);
        await page.GotoAsync($"{server.BaseAddress}console/instances/{auto}");
        var planned = page.GetByRole(AriaRole.Table).Last;
        await Expect(planned.GetByRole(AriaRole.Row).Filter(new() { HasText = "2017-12-06 08:00" }))
            .ToHaveTextAsync(Cells("Auto-renewal attempt 1 of 5"));
        await Expect(planned.GetByRole(AriaRole.Row).Filter(new() { HasText = "2017-12-08 08:00" }))
            .ToHaveTextAsync(Cells("Auto-renewal attempt 2 of 5, if the earlier ones fail"));
        await Expect(page.GetByTestId("release-banner")).ToHaveCountAsync(0);

        // Three attempts fail for want of funds; the fourth is still ahead, and is numbered so.
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2017-12-10T02:00:00Z" })).Status);
        await page.ReloadAsync();
        await Expect(planned.GetByRole(AriaRole.Row).Filter(new() { HasText = "2017-12-15 08:00" }))
            .ToHaveTextAsync(Cells("Auto-renewal attempt 4 of 5, if the earlier ones fail"));

        await page.GotoAsync($"{server.BaseAddress}console/instances/{manual}");
        await Expect(page.GetByTestId("status")).ToHaveTextAsync("stopped");
        await Expect(page.GetByTestId("release-banner")).ToHaveTextAsync(
            "This instance is stopped: it will be released on 2017-12-24 00:00 (billing time) unless it is renewed first. Renew it below.");
        await Expect(page.GetByTestId("no-auto-renew"))
            .ToHaveTextAsync("Auto-renewal cannot be turned on now: a stopped instance is renewed by hand.");
        Assert.DoesNotContain("Auto", await page.Locator("#m-mode option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));
        await Expect(page.Locator("#m-months")).ToHaveCountAsync(0);
        await Shot(page, "instance-stopped-banner");
    }

    [Fact]
    public async Task Seed_003_the_tabs_count_rows_have_their_own_buttons_periods_come_from_the_catalog_and_the_operator_sees_accounts()
    {
        var (key, accountId, _) = await Customer("2017-11-08T02:00:00Z", 10_000);
        var a = await Buy(key, "ecs", "ecs.small", 1);
        var b = await Buy(key, "mqtt", "mqtt.basic.1k", 1, autoRenew: true);
        var page = await SignIn(key);

        await Expect(page.GetByTestId("count-manual")).ToHaveTextAsync("(1)");
        await Expect(page.GetByTestId("count-auto")).ToHaveTextAsync("(1)");
        await Expect(page.GetByTestId("count-noRenew")).ToHaveTextAsync("(0)");
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8", "9", "12", "24", "36"],
            await page.Locator("#b-months option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));
        await page.Locator("#f-product").SelectOptionAsync("mqtt");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7", "8", "9", "12"], await page.Locator("#b-months option")
            .EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));

        await page.GotoAsync($"{server.BaseAddress}console/renewals");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Enable auto-renewal of {a}" }).ClickAsync();
        await page.Locator("#m-mode").SelectOptionAsync("Auto");
        await page.GetByRole(AriaRole.Group, new() { Name = "Renewal mode" })
            .GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Renewal set to auto-renew every 1 month.");
        await page.GotoAsync($"{server.BaseAddress}console/renewals?tab=auto");
        await Expect(page.GetByTestId("count-auto")).ToHaveTextAsync("(2)");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Renew {b}" }).ClickAsync();
        await Expect(page.GetByTestId("expiry")).ToHaveTextAsync("2017-12-09 00:00 (31 days left)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote renewal" }).ClickAsync();
        await Expect(page.GetByTestId("quote-total")).ToHaveTextAsync("50.00 USD");

        var op = await SignIn(Server.OperatorKey);
        await op.GotoAsync($"{server.BaseAddress}console/renewals?tab=auto&accountId={accountId}");
        await Expect(op.GetByRole(AriaRole.Row).Filter(new() { HasText = a })).ToContainTextAsync(accountId);
        await op.GetByRole(AriaRole.Row).Filter(new() { HasText = a }).GetByRole(AriaRole.Link, new() { Name = accountId }).ClickAsync();
        await Expect(op.GetByTestId("balance")).ToHaveTextAsync("40.00 USD");
        await op.GetByRole(AriaRole.Link, new() { Name = "All instances of this account" }).ClickAsync();
        await Expect(op.GetByTestId("all-instances").Locator("tbody tr")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task R7_5_select_all_matching_renews_every_page_of_the_filter_as_one_order_through_one_quote()
    {
        var (key, _, _) = await Customer("2017-11-08T02:00:00Z", 202_000);
        var bought = new List<string>();
        for (var n = 0; n < 101; n++) bought.Add(await Buy(key, "ecs", "ecs.small", 1)); // one more than a page of 100
        var page = await SignIn(key);
        await Expect(Rows(page)).ToHaveCountAsync(100);
        await Expect(page.GetByTestId("count-manual")).ToHaveTextAsync("(101)");

        await page.GetByLabel("All 101 instance(s) matching the filters, on every page").CheckAsync();
        await page.Locator("#b-months").SelectOptionAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote renewal" }).ClickAsync();
        await Expect(page.GetByTestId("quote-total")).ToHaveTextAsync("1010.00 USD");
        Assert.Equal("101000", (await Account(key)).Str("balance"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 1010.00 USD and renew" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync(
            new Regex("^Renewed 101 instance\\(s\\) in order \\S+: "
                + "1010\\.00 USD \\(0\\.00 USD by coupons, 1010\\.00 USD from balance\\)\\.$"));
        Assert.Equal("0", (await Account(key)).Str("balance"));
        Assert.Equal("2018-01-08T16:00:00Z", (await server.Client(key).Get($"/v1/instances/{bought[^1]}")).Body.Str("expiresAt"));
    }

    [Fact]
    public async Task Seed_003_the_purchase_form_quotes_first_and_the_account_lists_every_instance_with_payg()
    {
        var (key, _, _) = await Customer("2017-11-08T02:00:00Z", 5000);
        var payg = await server.Client(key).Post(
            "/v1/instances", new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "payg" });
        Assert.Equal(201, payg.Status);
        var page = await SignIn(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "Buy", Exact = true }).ClickAsync();
        await page.Locator("#b-spec").SelectOptionAsync("ecs.medium");
        await page.Locator("#b-months").SelectOptionAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote purchase" }).ClickAsync();
        await Expect(page.Locator("tbody tr")).ToHaveTextAsync(Cells("new", "2018-01-09 00:00", "40.00 USD"));
        Assert.Equal("5000", (await Account(key)).Str("balance"));
        await Shot(page, "purchase-quote");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 40.00 USD and buy" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status))
            .ToHaveTextAsync(new Regex("^Bought i-\\S+ \\(ecs\\.medium\\): paid 40\\.00 USD; expires 2018-01-09 00:00\\.$"));
        Assert.Equal("1000", (await Account(key)).Str("balance"));

        await page.GetByRole(AriaRole.Link, new() { Name = "Instances", Exact = true }).ClickAsync();
        var rows = page.GetByTestId("all-instances").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Filter(new() { HasText = payg.Body.Str("id") })).ToHaveTextAsync(Cells("ecs.small", "pay-as-you-go", "running"));
    }

    [Fact]
    public async Task R11_2_alarm_thresholds_and_switches_and_the_account_contacts_are_set_from_the_console()
    {
        var (key, _, _) = await Customer("2017-11-08T02:00:00Z", 5000);
        var id = await Buy(key, "mqtt", "mqtt.basic.1k", 1);
        var page = await SignIn(key);
        await page.GotoAsync($"{server.BaseAddress}console/instances/{id}");
        await page.Locator("#a-tps").FillAsync("85");
        await page.Locator("#a-connections-on").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save alarms" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status))
            .ToHaveTextAsync("Alarms saved: tps at 85% (on), subscriptions at 70% (on), connections at 70% (off).");
        await Expect(page.GetByTestId("usage-tps")).ToHaveAttributeAsync("aria-label", new Regex("the alarm at 85% \\(850\\)"));

        await page.GotoAsync($"{server.BaseAddress}console/account");
        await page.GetByLabel("E-mail").FillAsync("ops@example.com");
        await page.GetByLabel("Phone (SMS)").FillAsync("+86 138 0000 0000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save contacts" }).ClickAsync();
        await Expect(page.Locator("p.notice")).ToHaveTextAsync("Contacts saved: ops@example.com, +86 138 0000 0000.");
        Assert.Equal("ops@example.com", (await Account(key)).Str("email"));
        await page.GetByLabel("URL").FillAsync("http://127.0.0.1:9/hook");
        await page.GetByLabel("Signing secret").FillAsync("0123456789abcdef");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save webhook" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("url must reach a public address");
        await Shot(page, "account-settings");
    }

    [Fact]
    public async Task Issue_12_the_new_pages_do_not_scroll_sideways_at_400_px()
    {
        var (key, _, _) = await Customer("2017-11-08T02:00:00Z", 5000);
        var id = await Buy(key, "ecs", "ecs.small", 1);
        var page = await SignIn(key);
        await page.SetViewportSizeAsync(400, 900);
        var wide = new List<string>();
        async Task Check(string what)
        {
            // Tables scroll inside their own container; the page's content itself must fit the width.
            var width = await page.EvaluateAsync<int>("() => document.querySelector('main').scrollWidth");
            if (width > 400) wide.Add($"{what}: {width} px");
        }

        foreach (var path in new[] { "renewals", "instances", "buy", "account", $"instances/{id}" })
        {
            await page.GotoAsync($"{server.BaseAddress}console/{path}");
            await Check(path);
        }

        await page.Locator("#c-spec").SelectOptionAsync("ecs.large");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote spec change" }).ClickAsync();
        await Check("spec change quote");
        await Shot(page, "spec-change-quote-400");
        Assert.Empty(wide);
    }

    [Fact]
    public async Task R13_4_a_batch_quote_gone_stale_shows_the_new_batch_quote_and_charges_nothing()
    {
        var (key, _, _) = await Customer("2017-11-08T02:00:00Z", 10_000);
        var a = await Buy(key, "ecs", "ecs.small", 1);
        var b = await Buy(key, "ecs", "ecs.small", 1); // both expire 2017-12-09 00:00; balance 80.00
        var page = await SignIn(key);
        await page.GetByLabel($"Select {a}").CheckAsync();
        await page.GetByLabel($"Select {b}").CheckAsync();
        await page.Locator("#b-months").SelectOptionAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote renewal" }).ClickAsync();
        await Expect(page.GetByTestId("quote-total")).ToHaveTextAsync("20.00 USD");

        Assert.Equal(200, (await server.Client(key).Post($"/v1/instances/{a}/renew", new { periodMonths = 1 })).Status);
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 20.00 USD and renew" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(Stale);
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = a }))
            .ToHaveTextAsync(Cells("2018-01-09 00:00", "2018-02-09 00:00", "10.00 USD"));
        Assert.Equal("7000", (await Account(key)).Str("balance"));
    }
}
