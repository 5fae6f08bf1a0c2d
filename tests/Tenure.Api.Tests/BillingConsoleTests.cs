using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Tenure.Api.Tests;

/// <summary>R8.8 in the console, in Debian's Chromium at 400 px wide: the Billing page, an order's page, downloads and an instance's
/// cost.</summary>
public sealed class BillingConsoleTests(Server server, Browser browser) : IClassFixture<Server>, IClassFixture<Browser>
{
    private readonly HttpClient _operator = server.Client();

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [Fact]
    public async Task R8_8_the_billing_page_lists_orders_ledger_and_statements_and_links_each_order_at_400_px_and_axe_clean()
    {
        var clock = await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" });
        var account = await _operator.Post("/v1/accounts", new { name = "Billing customer", email = "b@example.com",
            testClockId = clock.Body.Str("id") });
        var accountId = account.Body.Str("id");
        var key = account.Body.Str("apiKey");
        Assert.Equal(201, (await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 5000 })).Status);
        Assert.Equal(201, (await _operator.Post($"/v1/accounts/{accountId}/coupons", new { amount = 300,
            expiresAt = "2030-01-01T00:00:00Z" })).Status);
        var client = server.Client(key);
        var id = (await client.Post("/v1/instances", new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small",
            chargeType = "subscription", periodMonths = 1 })).Body.Str("id");
        Assert.Equal(200, (await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 })).Status);
        var purchase = (await client.Get("/v1/orders")).Body!["items"]![0].Str("id");

        var page = await browser.Page(javaScript: true);
        await page.SetViewportSizeAsync(400, 900);
        await page.GotoAsync($"{server.BaseAddress}console");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Billing" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Billing", Exact = true })).ToBeVisibleAsync();
        var orders = page.GetByTestId("orders").Locator("tbody tr");
        await Expect(orders).ToHaveCountAsync(2);
        await Expect(orders.Nth(1)).ToContainTextAsync(purchase);
        await Expect(orders.Nth(1)).ToContainTextAsync("10.00 USD");
        await Expect(orders.Nth(1)).ToContainTextAsync("3.00 USD");
        var ledger = page.GetByTestId("ledger").Locator("tbody tr");
        await Expect(ledger).ToHaveCountAsync(5);
        await Expect(ledger.Nth(0)).ToContainTextAsync("-10.00 USD");
        await Expect(ledger.Nth(0)).ToContainTextAsync("33.00 USD");
        // Nothing wider than the screen: wide tables scroll inside their own region.
        var wider = await page.EvaluateAsync<string[]>(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 401 && !e.closest('.scroll'))" +
            ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))");
        Assert.Empty(wider);
        Assert.Equal(400, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        await AxeClean(page, "billing");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Screenshots, "billing-page-400.png"),
            FullPage = true });

        async Task<IAPIResponse> Follow(string link) =>
            await page.Context.APIRequest.GetAsync(new Uri(server.BaseAddress, await page.GetByRole(AriaRole.Link,
                new() { Name = link }).GetAttributeAsync("href")).ToString());
        var pdf = await Follow("PDF statement 2019-03");
        Assert.Equal(("application/pdf", "%PDF"), (pdf.Headers["content-type"],
            System.Text.Encoding.ASCII.GetString((await pdf.BodyAsync())[..4])));
        var csv = await Follow("CSV statement 2019-03");
        Assert.Contains("closingBalance,,33.00,USD", await csv.TextAsync());

        await page.GetByRole(AriaRole.Link, new() { Name = purchase, Exact = true }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Order {purchase}" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("total")).ToHaveTextAsync("10.00 USD");
        await AxeClean(page, "order");
        await page.GetByRole(AriaRole.Link, new() { Name = "page", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "2019-03-01 10:00 – 2019-04-02 00:00" })).ToBeVisibleAsync();

        await page.GotoAsync($"{server.BaseAddress}console/instances/{id}");
        await Expect(page.GetByTestId("cost-total")).ToHaveTextAsync("20.00 USD in all");
        await Expect(page.GetByTestId("cost-orders").GetByRole(AriaRole.Link)).ToHaveCountAsync(2);
        await page.GetByTestId("cost-orders").GetByRole(AriaRole.Link, new() { Name = purchase }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Order {purchase}" })).ToBeVisibleAsync();
    }

    private static async Task AxeClean(IPage page, string what)
    {
        var result = await page.RunAxe();
        Assert.Empty(result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{what}: {v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target))}"));
    }
}
