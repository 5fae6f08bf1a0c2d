namespace Tenure.Engine.Tests;

/// <summary>R2, R7.9 in a terminal: <c>tenure buy</c> the card pays part of shows the price first, then "payment pending".</summary>
public sealed partial class CliTerminalTests
{
    [Fact]
    public async Task R2_R7_9_tenure_buy_the_card_pays_shows_the_price_covered_then_its_pending_payment_and_creates_nothing()
    {
        // This server calls no gateway, so the card's payment stays pending.
        var key = await CardAccount("4");

        var (code, bought, error) =
            Tenure(key, "buy", "--product", "ecs", "--region", "cn-hangzhou", "--spec", "ecs.small", "--months", "1", "--yes");
        Assert.True(code == 0, error);
        Assert.Contains("(new)\t-\t2019-04-02 00:00 +08:00\t10.00 USD", bought, StringComparison.Ordinal);
        Assert.DoesNotContain("Shortfall", bought, StringComparison.Ordinal); // R7.8: the card covers what the balance does not
        Assert.Matches(@"Payment pay-\S+ is pending with the payment method: nothing is applied until it succeeds", bought);
        Assert.True(bought.IndexOf("Total: 10.00 USD", StringComparison.Ordinal) < bought.IndexOf("is pending", StringComparison.Ordinal));
        Assert.DoesNotContain("Bought ", bought, StringComparison.Ordinal);
        var (_, list, _) = Tenure(key, "instances", "list");
        Assert.Single(list.Trim().Split('\n')); // the header alone
    }
}
