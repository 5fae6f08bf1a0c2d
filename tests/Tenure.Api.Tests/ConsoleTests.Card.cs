using Microsoft.Playwright;

namespace Tenure.Api.Tests;

/// <summary>R7.8 in the browser: a quote that counts the card says so, and a payment the card leaves pending is told as such.</summary>
public sealed partial class ConsoleTests
{
    [Fact]
    public async Task R7_8_R6_6_an_edition_change_quote_counts_the_card_in_its_label_and_its_pending_payment_applies_nothing_yet()
    {
        var (key, _) = await CardCustomer("2019-03-01T02:00:00Z", 10_000);
        var payg = await server.Client(key).Post(
            "/v1/instances", new { product = "rocketmq", region = "cn-hangzhou", spec = "rocketmq.standard", chargeType = "payg" });
        var standard = payg.Body.Str("id");
        var page = await SignIn(key);
        await page.GotoAsync($"{server.BaseAddress}console/instances/{standard}");
        await page.Locator("#e-edition").SelectOptionAsync("platinum");
        await page.Locator("#e-months").SelectOptionAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Quote edition change" }).ClickAsync();

        // 3,000 USD: the balance pays 100 USD, the card the rest; nothing is short.
        await Expect(page.GetByTestId("quote-total")).ToHaveTextAsync("3000.00 USD");
        await Expect(page.GetByTestId("coverage").Locator("dt"))
            .ToHaveTextAsync(["Coupons, balance and payment method cover", "Shortfall"]);
        await Expect(page.GetByTestId("covered")).ToHaveTextAsync("3000.00 USD");
        await Expect(page.GetByTestId("quote-shortfall")).ToHaveTextAsync("0.00 USD");

        // This server calls no gateway: the card's payment stays pending and the instance stays Standard meanwhile.
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 3000.00 USD and change the edition" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Payment pay-" })).ToHaveTextAsync(
            new System.Text.RegularExpressions.Regex("^Payment pay\\S* is pending; the change is applied once it succeeds\\.$"));
        await Expect(page.GetByTestId("payment-pending")).ToBeVisibleAsync();
        var after = (await server.Client(key).Get($"/v1/instances/{standard}")).Body;
        Assert.Equal(("standard", "true"), (after.Str("edition"), after.Str("paymentPending")));
    }

    [Fact]
    public async Task R8_4_R7_11_unsubscribing_a_cycle_the_card_paid_part_of_tells_both_refunds()
    {
        // 3,000 USD bought 2019-03-01 10:00 local (expires 04-02, D = 32): the balance pays 1,000, the card 2,000.
        // Unsubscribed 03-10 15:00 (U = 22): floor(100,000 × 22 / 32) = 68,750 to the balance, floor(200,000 × 22 / 32) = 137,500.
        var (key, clockId) = await CardCustomer("2019-03-01T02:00:00Z", 100_000);
        var bought = await server.Client(key).Post(
            "/v1/instances", new { product = "rocketmq", region = "cn-hangzhou", spec = "rocketmq.platinum.2k", chargeType = "subscription",
                periodMonths = 1 });
        Assert.Equal(202, bought.Status);
        Assert.Equal(200, (await server.PostPaymentResult(bought.Body.Str("paymentId"), """{"status":"succeeded"}""")).Status);
        var rocket = Assert.Single((await server.Client(key).Get("/v1/instances")).Body!["items"]!.AsArray()).Str("id");

        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-03-10T07:00:00Z" })).Status);
        var page = await SignIn(key);
        await page.GotoAsync($"{server.BaseAddress}console/instances/{rocket}");
        await page.GetByLabel("I understand").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status))
            .ToHaveTextAsync("Unsubscribed; refunded 687.50 USD to the balance and 1375.00 USD to the payment method.");
    }

    /// <summary>
    /// A customer on a test clock frozen at <paramref name="frozenUtc"/> holding <paramref name="balance"/> and a card (R7.8).
    /// </summary>
    private async Task<(string Key, string ClockId)> CardCustomer(string frozenUtc, long balance)
    {
        var (key, accountId, clockId) = await Customer(frozenUtc, balance);
        Assert.Equal(200, (await _operator.Send(HttpMethod.Put, $"/v1/accounts/{accountId}/payment-method",
            new { token = "tok_visa_4242", label = "Visa •••• 4242" })).Status);
        return (key, clockId);
    }
}
