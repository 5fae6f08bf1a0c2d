using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Tenure.Api.Tests;

/// <summary>R2, R7.9 in the console: a purchase the card pays part of shows its price first, then "payment pending".</summary>
public sealed partial class ConsoleTests
{
    [Fact]
    public async Task R2_R7_9_a_purchase_the_card_pays_is_quoted_as_covered_and_its_pending_payment_is_shown()
    {
        // This server has no gateway to call, so the card's payment stays pending and nothing is created meanwhile.
        var (key, _) = await CardCustomer("2017-11-08T02:00:00Z", 1000);
        var page = await SignIn(key);
        await page.GetByRole(AriaRole.Link, new() { Name = "Buy", Exact = true }).ClickAsync();
        await page.Locator("#b-spec").SelectOptionAsync("ecs.medium");
        await page.Locator("#b-months").SelectOptionAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote purchase" }).ClickAsync();
        await Expect(page.Locator("tbody tr")).ToHaveTextAsync(Cells("new", "2018-01-09 00:00", "40.00 USD"));
        await Expect(page.GetByTestId("covered")).ToHaveTextAsync("40.00 USD");
        await Expect(page.GetByTestId("quote-shortfall")).ToHaveTextAsync("0.00 USD");

        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 40.00 USD and buy" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status))
            .ToHaveTextAsync(new Regex("^Payment pay-\\S+ is pending; the instance is created once it succeeds\\.$"));
        Assert.Equal("1000", (await Account(key)).Str("balance"));
        var client = server.Client(key);
        var payment = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Equal(("pending", "3000"), (payment.Str("status"), payment.Str("amount")));
        Assert.Empty((await client.Get("/v1/instances")).Body!["items"]!.AsArray());
    }
}
