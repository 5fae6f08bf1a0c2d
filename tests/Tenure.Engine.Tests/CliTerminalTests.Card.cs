using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Tenure.Engine.Tests;

/// <summary>R7.8 in a terminal: a quote that counts the card says so, and a payment the card leaves pending is told as such.</summary>
public sealed partial class CliTerminalTests
{
    [Fact]
    public async Task R7_8_R6_6_an_edition_change_quote_that_counts_the_card_says_so_and_its_pending_payment_applies_nothing_yet()
    {
        var key = await CardAccount("100");
        var (_, payg, _) = Tenure(key, "buy", "--product", "rocketmq", "--region", "cn-hangzhou", "--edition", "standard",
            "--spec", "rocketmq.standard", "--payg", "--yes");
        var rocket = Regex.Match(payg, @"^Bought (\S+): rocketmq", RegexOptions.Multiline).Groups[1].Value;

        // 3,000 USD: the balance pays 100 USD and the card 2,900 USD; this server calls no gateway, so the payment stays pending.
        var (code, edition, error) = Tenure(key, "edition", rocket, "--edition", "platinum", "--months", "1", "--yes");
        Assert.True(code == 0, error);
        Assert.Contains("Total: 3000.00 USD", edition, StringComparison.Ordinal);
        Assert.Contains("Coupons, balance and payment method cover: 3000.00 USD (the payment method 2900.00 USD)", edition,
            StringComparison.Ordinal);
        Assert.DoesNotContain("Shortfall", edition, StringComparison.Ordinal);
        Assert.Matches(@"Payment pay\S* is pending with the payment method: nothing is applied until it succeeds", edition);
    }

    /// <summary>
    /// An account on a test clock frozen at 2019-03-01 10:00 local, topped up with <paramref name="topUp"/> USD and holding a
    /// card (R7.8); its API key. This server calls no gateway, so the card's payments stay pending.
    /// </summary>
    private async Task<string> CardAccount(string topUp)
    {
        var clock = Tenure(Operator, "clock", "create", "--at", "2019-03-01T02:00:00Z").Out.Split(' ')[0];
        var created = AccountLine()
            .Match(Tenure(Operator, "accounts", "create", "--name", "Ada", "--email", "a@example.com", "--clock", clock).Out);
        var (account, key) = (created.Groups[1].Value, created.Groups[2].Value);
        Assert.Equal(0, Tenure(Operator, "accounts", "top-up", account, "--amount", topUp).Code);
        using var http = new HttpClient { BaseAddress = new Uri(_server) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Operator);
        using var set = await http.PutAsJsonAsync($"/v1/accounts/{account}/payment-method",
            new { token = "tok_visa_4242", label = "Visa •••• 4242" }, TestContext.Current.CancellationToken);
        Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return key;
    }
}
