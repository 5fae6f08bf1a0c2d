using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tenure.Api.Web;

namespace Tenure.Api.Tests;

/// <summary>
/// R9.6 in the console: its words in the four languages (resource files), chosen by ?lang=, the switcher's cookie or
/// Accept-Language; the operator's templates page; the account's notice language. Screenshots go to artifacts/screenshots.
/// </summary>
public sealed class ConsoleLocaleTests(Server server, Browser browser) : IClassFixture<Server>, IClassFixture<Browser>
{
    private static readonly ResourceManager Words = new("Tenure.Api.Web.ConsoleText", typeof(ConsoleText).Assembly);

    [Theory]
    [InlineData("ja")]
    [InlineData("zh-Hans")]
    [InlineData("zh-Hant")]
    public async Task R9_6_a_localized_page_shows_no_string_of_the_English_resource_file(string lang)
    {
        var page = await browser.Page();
        await page.GotoAsync($"{server.BaseAddress}console/sign-in?lang={lang}");
        await NoEnglish(page, lang, "sign-in");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", lang);
        await Shot(page, $"sign-in-{lang}");

        await page.GetByLabel(Word("API key", lang)).FillAsync(Server.OperatorKey);
        await page.GetByRole(AriaRole.Button, new() { Name = Word("Sign in", lang), Exact = true }).ClickAsync();
        await page.GotoAsync($"{server.BaseAddress}console/operator/templates?kind=expiryReminder&locale={lang}&lang={lang}");
        await NoEnglish(page, lang, "templates");
        await page.GetByRole(AriaRole.Button, new() { Name = Word("Preview", lang), Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("preview-subject")).ToContainTextAsync("2019年3月30日");
        await NoEnglish(page, lang, "templates preview");
        await Shot(page, $"notice-templates-{lang}");
    }

    [Fact]
    public async Task R9_6_an_operator_edits_previews_saves_and_restores_a_template_in_the_console()
    {
        var page = await browser.Page();
        await page.GotoAsync($"{server.BaseAddress}console/sign-in?lang=ja");
        await page.GetByLabel("API キー").FillAsync(Server.OperatorKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン", Exact = true }).ClickAsync();
        await page.GotoAsync($"{server.BaseAddress}console/operator/templates?kind=releaseWarning&locale=ja&lang=ja");
        await page.GetByLabel("件名").FillAsync("【重要】{{ instanceId }} は {{ releaseAt }} にリリースされます");
        await page.GetByRole(AriaRole.Button, new() { Name = "プレビュー" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("preview-subject"))
            .ToHaveTextAsync("【重要】i-bp1sample は 2019年4月30日 00:00 にリリースされます");

        await page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToHaveTextAsync("テンプレートを保存しました。");
        var saved = await server.Client().Get("/v1/notice-templates/releaseWarning/ja");
        Assert.Equal(
            ("true", "【重要】{{ instanceId }} は {{ releaseAt }} にリリースされます"),
            (saved.Body.Str("custom"), saved.Body.Str("subject")));

        await page.GetByLabel("件名").FillAsync("{{ releaseAt }} {{ customer }}");
        await page.GetByRole(AriaRole.Button, new() { Name = "保存" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert))
            .ToContainTextAsync("subject: line 1, column 20: 'customer' is not a notice field");
        await Assertions.Expect(page.GetByLabel("件名")).ToHaveValueAsync("{{ releaseAt }} {{ customer }}");

        await page.GotoAsync($"{server.BaseAddress}console/operator/templates?kind=releaseWarning&locale=ja&lang=ja");
        await page.GetByRole(AriaRole.Button, new() { Name = "既定に戻す" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToHaveTextAsync("既定のテンプレートに戻しました。");
        Assert.Equal("false", (await server.Client().Get("/v1/notice-templates/releaseWarning/ja")).Body.Str("custom"));
    }

    [Fact]
    public async Task R9_6_the_console_follows_lang_then_the_switcher_cookie_then_Accept_Language()
    {
        if (Browser.Unavailable is { } reason && Environment.GetEnvironmentVariable("CI") != "true") Assert.Skip(reason);
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false, Locale = "ja" });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{server.BaseAddress}console/sign-in");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("ログイン");

        await page.GetByLabel("言語").SelectOptionAsync("zh-Hant");
        await page.GetByRole(AriaRole.Button, new() { Name = "切り替え" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("登入");
        await page.GotoAsync($"{server.BaseAddress}console/sign-in?lang=zh-Hans");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("登录");
        // ?lang= is remembered, so the next page (and a form posted from it) speaks it too.
        await page.GotoAsync($"{server.BaseAddress}console/sign-in");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("登录");
        await context.CloseAsync();
    }

    [Fact]
    public async Task R9_6_a_customer_sets_the_notice_language_on_the_account_page()
    {
        var account = await server.Client().Post("/v1/accounts", new { name = "帳號", email = "t@example.com" });
        var key = account.Body.Str("apiKey");
        var page = await browser.Page();
        await page.GotoAsync($"{server.BaseAddress}console/sign-in?lang=zh-Hant");
        await page.GetByLabel("API 金鑰").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "登入", Exact = true }).ClickAsync();
        await page.GotoAsync($"{server.BaseAddress}console/account?lang=zh-Hant");
        await page.GetByLabel("通知語言").SelectOptionAsync("zh-Hant");
        await page.GetByRole(AriaRole.Button, new() { Name = "設定", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToHaveTextAsync("通知語言已設定。");
        Assert.Equal("zh-Hant", (await server.Client(key).Get("/v1/account")).Body.Str("locale"));
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("zh-Hans")]
    [InlineData("zh-Hant")]
    public async Task R9_6_the_renewal_quote_purchase_instances_and_account_pages_show_no_English(string lang)
    {
        var (key, id, _) = await Customer("2019-03-01T02:00:00Z", 2434); // ecs.small, 1 month: 10.00 USD, expires 2019-04-02 00:00
        var page = await SignIn(key, lang);
        await page.GotoAsync($"{server.BaseAddress}console/renewals?lang={lang}");
        await NoEnglish(page, lang, "renewals");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = id })).ToContainTextAsync("2019年4月2日 00:00");
        await Shot(page, $"renewals-{lang}");

        await page.GetByLabel(string.Format(CultureInfo.InvariantCulture, Word("Select {0}", lang), id)).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = Word("Quote renewal", lang), Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("quote-total")).ToHaveTextAsync("10.00 USD");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = id }))
            .ToContainTextAsync("2019年5月2日 00:00");
        await NoEnglish(page, lang, "renewal quote");

        foreach (var (path, what) in new[] { ("buy", "purchase"), ("instances", "all instances"), ("account", "account") })
        {
            await page.GotoAsync($"{server.BaseAddress}console/{path}");
            await NoEnglish(page, lang, what);
        }

        await Assertions.Expect(page.GetByTestId("balance")).ToHaveTextAsync("14.34 USD");
    }

    [Fact]
    public async Task R9_6_a_Traditional_Chinese_customer_manages_renewals_in_seed_003s_words()
    {
        var (key, id, _) = await Customer("2019-03-01T02:00:00Z", 2434);
        var page = await SignIn(key, "zh-Hant");
        await page.GotoAsync($"{server.BaseAddress}console/renewals?lang=zh-Hant");
        await NoEnglish(page, "zh-Hant", "renewals");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("續約管理");
        await Assertions.Expect(page.Locator("ul.tabs")).ToContainTextAsync("手動續約");
        await Assertions.Expect(page.Locator("ul.tabs")).ToContainTextAsync("自動續約");
        await Assertions.Expect(page.Locator("ul.tabs")).ToContainTextAsync("到期不續約");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = id }))
            .ToContainTextAsync("2019年4月2日 00:00");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = $"續約 {id}" })).ToHaveTextAsync("續約");
        await Shot(page, "renewals-zh-Hant");
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("zh-Hans")]
    [InlineData("zh-Hant")]
    [InlineData("en")]
    public async Task R9_6_a_refused_renewal_says_its_code_in_the_page_s_language_and_keeps_the_API_s_detail_in_English(string lang)
    {
        var (key, id, _) = await Customer("2019-03-01T02:00:00Z", 2000); // 10.00 USD left after the first month
        var page = await SignIn(key, lang);
        await page.GotoAsync($"{server.BaseAddress}console/instances/{id}?lang={lang}");
        await page.GetByRole(AriaRole.Button, new() { Name = Word("Quote renewal", lang), Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("quote-total")).ToHaveTextAsync("10.00 USD");

        // The balance goes on a second instance after the quote, so paying the renewal is refused: insufficient-funds.
        Assert.Equal(201, (await server.Client(key).Post("/v1/instances",
            new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1 })).Status);
        var pay = string.Format(CultureInfo.InvariantCulture, Word("Pay {0} and renew", lang), "10.00 USD");
        await page.GetByRole(AriaRole.Button, new() { Name = pay, Exact = true }).ClickAsync();

        const string detail = "The charge of 10.00 USD exceeds coupons and balance (0.00 USD): 10.00 USD short.";
        var alert = page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/console/instances/{id}\\?error=.*&code=insufficient-funds$"));
        if (lang == "en")
        {
            await Assertions.Expect(alert).ToHaveTextAsync(detail);
            await Assertions.Expect(alert.Locator("[lang]")).ToHaveCountAsync(0);
            return;
        }

        await Assertions.Expect(alert).ToHaveTextAsync($"{Word("error: insufficient-funds", lang)} {detail}");
        await Assertions.Expect(alert.Locator("[lang=\"en\"]")).ToHaveTextAsync(detail);
        await NoEnglish(page, lang, "instance after a refused renewal");
        await Shot(page, $"refused-renewal-{lang}");
    }

    [Fact]
    public void R9_6_every_error_code_the_API_answers_has_its_sentence_in_the_four_languages()
    {
        var refusals = Enum.GetValues<Domain.RefusalCode>().Select(c => new Domain.Refusal(c, "").ApiCode).ToList();
        Assert.Subset(Problems.Titles.Keys.ToHashSet(), refusals.ToHashSet());
        foreach (var lang in new[] { "en", "zh-Hans", "zh-Hant", "ja" })
        {
            var culture = lang == "en" ? CultureInfo.InvariantCulture : CultureInfo.GetCultureInfo(lang);
            var words = Words.GetResourceSet(culture, true, false)!;
            foreach (var code in Problems.Titles.Keys.Append("other"))
            {
                Assert.False(string.IsNullOrWhiteSpace(words.GetString($"error: {code}")), $"no sentence for {code} in {lang}");
            }
        }
    }

    /// <summary>A customer on a test clock at <paramref name="frozenUtc"/> with one ecs.small bought for a month, and the clock.</summary>
    private async Task<(string Key, string Id, string ClockId)> Customer(string frozenUtc, long balance)
    {
        var op = server.Client();
        var clock = await op.Post("/v1/test-clocks", new { frozenTime = frozenUtc });
        var account = await op.Post("/v1/accounts", new { name = "顧客", email = "l@example.com", testClockId = clock.Body.Str("id") });
        Assert.Equal(201, (await op.Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = balance })).Status);
        var key = account.Body.Str("apiKey");
        var bought = await server.Client(key).Post("/v1/instances",
            new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1 });
        Assert.Equal(201, bought.Status);
        return (key, bought.Body.Str("id"), clock.Body.Str("id"));
    }

    private async Task<IPage> SignIn(string key, string lang)
    {
        var page = await browser.Page();
        await page.GotoAsync($"{server.BaseAddress}console/sign-in?lang={lang}");
        await page.GetByLabel(Word("API key", lang)).FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = Word("Sign in", lang), Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = Word("Sign out", lang), Exact = true })).ToBeVisibleAsync();
        return page;
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("zh-Hans")]
    [InlineData("zh-Hant")]
    public async Task R9_6_the_billing_and_order_pages_in_another_language_show_no_English_and_local_money(string lang)
    {
        var account = await server.Client().Post("/v1/accounts", new { name = "請求先", email = "b@example.com" });
        var key = account.Body.Str("apiKey");
        Assert.Equal(201, (await server.Client().Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = 123_456 })).Status);
        var bought = await server.Client(key).Post("/v1/instances",
            new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1 });
        Assert.Equal(201, bought.Status);
        var page = await browser.Page();
        await page.GotoAsync($"{server.BaseAddress}console/sign-in?lang={lang}");
        await page.GetByLabel(Word("API key", lang)).FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = Word("Sign in", lang), Exact = true }).ClickAsync();

        await page.GotoAsync($"{server.BaseAddress}console/billing?lang={lang}");
        await NoEnglish(page, lang, "billing");
        // 1234.56 USD topped up, 10.00 USD paid: the balance after the purchase, written as the language writes it.
        await Assertions.Expect(page.GetByTestId("ledger").Locator("tbody tr").Nth(0)).ToContainTextAsync("1,224.56 USD");
        await page.GetByTestId("orders").Locator("tbody tr a").First.ClickAsync();
        await NoEnglish(page, lang, "order");
        await Assertions.Expect(page.GetByTestId("total")).ToHaveTextAsync("10.00 USD");
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("zh-Hans")]
    [InlineData("zh-Hant")]
    public async Task R9_6_the_operator_page_in_another_language_shows_no_English(string lang)
    {
        Assert.Equal(201, (await server.Client().Post("/v1/test-clocks", new { frozenTime = "2019-03-27T00:00:00Z" })).Status);
        var page = await browser.Page();
        await page.GotoAsync($"{server.BaseAddress}console/sign-in?lang={lang}");
        await page.GetByLabel(Word("API key", lang)).FillAsync(Server.OperatorKey);
        await page.GetByRole(AriaRole.Button, new() { Name = Word("Sign in", lang), Exact = true }).ClickAsync();
        await page.GotoAsync($"{server.BaseAddress}console/operator?lang={lang}");
        await NoEnglish(page, lang, "operator");
        var (_, id, clock) = await Customer("2019-03-01T02:00:00Z", 1000);
        await page.GotoAsync($"{server.BaseAddress}console/operator?clock={clock}&lang={lang}");
        await NoEnglish(page, lang, "operator watching a clock");
        await Assertions.Expect(page.GetByTestId("clock-instances").GetByRole(AriaRole.Row).Filter(new() { HasText = id }))
            .ToContainTextAsync("2019年4月2日 00:00");
        // The test clock's frozen time in the billing zone (UTC+8), as the language writes it.
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "2019年3月27日 08:00" }).First).ToBeVisibleAsync();

        // A refusal the console makes itself speaks the page's language too.
        await page.GetByLabel(string.Format(CultureInfo.InvariantCulture, Word("Amount ({0})", lang), "USD")).First.FillAsync("12,5");
        await page.GetByRole(AriaRole.Button, new() { Name = Word("Top up (a form)", lang), Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(
            string.Format(CultureInfo.InvariantCulture, Word("{0}: enter an amount like 100 or 99.50.", lang), Word("Amount", lang)));
        await NoEnglish(page, lang, "operator after a refusal");
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("zh-Hans")]
    [InlineData("zh-Hant")]
    public async Task R9_6_the_purchase_and_instance_quotes_and_what_an_action_tells_show_no_English(string lang)
    {
        var (key, id, _) = await Customer("2019-03-01T02:00:00Z", 5000); // 40.00 USD left after the first month
        var page = await SignIn(key, lang);
        await page.GotoAsync($"{server.BaseAddress}console/buy?lang={lang}");
        await page.GetByLabel(Word("Spec", lang)).SelectOptionAsync("ecs.small");
        await page.GetByRole(AriaRole.Button, new() { Name = Word("Quote purchase", lang), Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("quote-total")).ToHaveTextAsync("10.00 USD");
        await NoEnglish(page, lang, "purchase quote");

        await page.GotoAsync($"{server.BaseAddress}console/instances/{id}?lang={lang}");
        await page.GetByRole(AriaRole.Button, new() { Name = Word("Quote renewal", lang), Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("quote-total")).ToHaveTextAsync("10.00 USD");
        await NoEnglish(page, lang, "instance renewal quote");
        var pay = string.Format(CultureInfo.InvariantCulture, Word("Pay {0} and renew", lang), "10.00 USD");
        await page.GetByRole(AriaRole.Button, new() { Name = pay, Exact = true }).ClickAsync();
        // One more month from 2019-04-02 00:00 local.
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("2019年5月2日 00:00");
        await NoEnglish(page, lang, "instance after its renewal");
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("zh-Hans")]
    [InlineData("zh-Hant")]
    public async Task R9_6_R8_9_the_renewal_report_and_its_charts_in_another_language_show_no_English(string lang)
    {
        // As ConsoleTests' report: two auto-renew ECS instances expiring 2019-04-02 00:00 local, 1,000 for one renewal; T-3
        // renews the first, T+6 (after a top-up on 04-04) the second; both come again on 05-02, not covered.
        var op = server.Client();
        var clock = (await op.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        var account = await op.Post("/v1/accounts", new { name = "報告", email = "r@example.com", testClockId = clock });
        var accountId = account.Body.Str("id");
        Assert.Equal(201, (await op.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 3000 })).Status);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(201, (await server.Client(account.Body.Str("apiKey")).Post("/v1/instances", new
            {
                product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1,
                autoRenew = true,
            })).Status);
        }

        Assert.Equal(200, (await op.Post($"/v1/test-clocks/{clock}/advance", new { to = "2019-04-04T02:00:00Z" })).Status);
        Assert.Equal(201, (await op.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 1000 })).Status);
        Assert.Equal(200, (await op.Post($"/v1/test-clocks/{clock}/advance", new { to = "2019-04-12T02:00:00Z" })).Status);

        var page = await SignIn(Server.OperatorKey, lang);
        var report = $"{server.BaseAddress}console/operator/renewal-report";
        await page.GotoAsync($"{report}?from=2019-01-01&to=2019-05-03&clock={clock}&lang={lang}");
        await NoEnglish(page, lang, "renewal report");
        var (rate, upcoming) = lang switch
        {
            "ja" => ("月別の更新率：2019年1月 0%（0 件中）；2019年2月 0%（0 件中）；" +
                "2019年3月 0%（0 件中）；2019年4月 100%（2 件中）",
                "日別の今後の自動更新：2019年5月2日 2 件（うち残高で賄えるもの 0 件）"),
            "zh-Hans" => ("按月续费率：2019年1月 0%（共 0 个）；2019年2月 0%（共 0 个）；" +
                "2019年3月 0%（共 0 个）；2019年4月 100%（共 2 个）",
                "按日即将进行的自动续费：2019年5月2日 2 个，其中余额足够 0 个"),
            _ => ("按月續約率：2019年1月 0%（共 0 個）；2019年2月 0%（共 0 個）；" +
                "2019年3月 0%（共 0 個）；2019年4月 100%（共 2 個）",
                "按日即將進行的自動續約：2019年5月2日 2 個，其中餘額足夠 0 個"),
        };
        await Assertions.Expect(page.GetByTestId("rate-by-month")).ToHaveAttributeAsync("aria-label", rate);
        await Assertions.Expect(page.GetByTestId("upcoming")).ToHaveAttributeAsync("aria-label", upcoming);
        await Assertions.Expect(page.GetByTestId("rate-by-month").Locator("text")).ToContainTextAsync(["2019年4月"]);
        await Assertions.Expect(page.GetByTestId("upcoming").Locator("text")).ToContainTextAsync(["5月2日"]);
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "2019年5月2日" })).ToContainTextAsync("20.00 USD");
        await Shot(page, $"operator-renewal-report-{lang}");

        // Labels measured as written: at 400 px the CJK labels still fit and keep apart.
        await page.SetViewportSizeAsync(400, 900);
        await ConsoleTests.AssertChartsFit(page, 3);
        await Shot(page, $"operator-renewal-report-{lang}-400px");

        // A span with nothing to come says so in the page's language.
        await page.GotoAsync($"{report}?from=2018-01-01&to=2018-02-01&clock={clock}&lang={lang}");
        await Assertions.Expect(page.GetByTestId("upcoming").Locator("text").Last)
            .ToHaveTextAsync(Word("no auto-renewals to come in this span", lang));
        await NoEnglish(page, lang, "empty renewal report");
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("zh-Hans")]
    [InlineData("zh-Hant")]
    public async Task R9_6_the_operator_s_views_of_an_account_and_its_instances_show_no_English(string lang)
    {
        var (key, id, _) = await Customer("2019-03-01T02:00:00Z", 2434);
        var accountId = (await server.Client(key).Get("/v1/account")).Body.Str("id");
        var page = await SignIn(Server.OperatorKey, lang);
        await page.GotoAsync($"{server.BaseAddress}console/account?id={accountId}&lang={lang}");
        await NoEnglish(page, lang, "operator's account");
        await page.GotoAsync($"{server.BaseAddress}console/instances?id={accountId}&lang={lang}");
        await NoEnglish(page, lang, "operator's instances");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = id })).ToContainTextAsync("2019年4月2日 00:00");
    }

    private static string Word(string key, string lang) => Words.GetString(key, CultureInfo.GetCultureInfo(lang)) ?? key;

    /// <summary>
    /// No English value of the resource file is on the page, except where the language writes it the same (IDs and codes
    /// such as "SMS"); a value with placeholders is checked in each of its parts between them. The page's text is what it
    /// shows, its title, what its charts draw and say to screen readers (SVG text, titles and descriptions), its options and
    /// its aria-label, title, placeholder and alt attributes. Codes (<c>code</c> elements, such as a notice
    /// kind) and text the page marks <c>lang="en"</c> (an event's detail as the engine recorded it) are data, not the
    /// console's words, and are left out.
    /// </summary>
    internal static async Task NoEnglish(IPage page, string lang, string what)
    {
        var text = await page.Locator("body").EvaluateAsync<string>("""
            body => {
              const copy = body.cloneNode(true);
              copy.querySelectorAll('[lang="en"], code').forEach(e => e.remove());
              document.documentElement.appendChild(copy);
              const text = copy.innerText;
              copy.remove();
              const drawn = [...copy.querySelectorAll('svg text, svg title, svg desc, option')].map(e => e.textContent);
              const named = [...copy.querySelectorAll('[aria-label], [title], [placeholder], [alt]')]
                .flatMap(e => ['aria-label', 'title', 'placeholder', 'alt'].map(a => e.getAttribute(a) ?? ''));
              return [text, document.title, ...drawn, ...named].join('\n');
            }
            """);
        var english = Words.GetResourceSet(CultureInfo.InvariantCulture, true, false)!.Cast<DictionaryEntry>();
        foreach (var (key, value) in english.Select(e => ((string)e.Key, (string)e.Value!)))
        {
            if (Word(key, lang) == value) continue;
            foreach (var fixedPart in Regex.Split(value, @"\{\d+\}").Select(p => p.Trim()).Where(p => p.Count(char.IsAsciiLetter) >= 3))
            {
                // As a word: "new" inside an instance ID or "any" inside a company's name is not English left on the page.
                var word = new Regex($"(?<![A-Za-z0-9]){Regex.Escape(fixedPart)}(?![A-Za-z0-9])", RegexOptions.CultureInvariant);
                Assert.False(word.IsMatch(text), $"{what} in {lang} shows English \"{fixedPart}\":\n{text}");
            }
        }
    }

    private static Task Shot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Screenshots, $"{name}.png"), FullPage = true });
}
