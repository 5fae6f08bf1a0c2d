using Tenure.Domain.Accounts;
using Tenure.Domain.Money;

namespace Tenure.Domain.Tests;

/// <summary>R7.8: coupons, then balance, then the payment method; a hard-declined method pays nothing.</summary>
public sealed class PaymentMethodTests
{
    private static readonly NodaTime.Instant March20 = Given.Local("2019-03-20 10:00");

    [Fact]
    public void R7_8_coupons_then_balance_then_the_method_for_the_rest()
    {
        var account = Given.Account(200, false, Given.Coupon("c-1", 300, "2019-05-01 00:00"))
            with { Method = new PaymentMethod("tok", "Visa •••• 4242") };

        var allocation = Payment.Allocate(account, 1_000, "ecs", March20, withMethod: true).Value;

        Assert.Equal((300L, 200L, 500L), (allocation.FromCoupons, allocation.FromBalance, allocation.FromMethod));
        Assert.Equal(300, Payment.Allocate(account, 300, "ecs", March20, withMethod: true).Value.FromCoupons);
        Assert.Equal(0, Payment.Allocate(account, 500, "ecs", March20, withMethod: true).Value.FromMethod);
    }

    [Fact]
    public void R7_9_a_hard_declined_method_or_a_command_without_the_method_leaves_coupons_and_balance_short()
    {
        var account = Given.Account(200, false) with { Method = new PaymentMethod("tok", "Visa", PaymentMethodStatus.DeclinedHard) };

        Assert.Equal(RefusalCode.InsufficientFunds, Payment.Allocate(account, 1_000, "ecs", March20, withMethod: true).Refusal?.Code);
        var active = account with { Method = new PaymentMethod("tok", "Visa") };
        Assert.Equal(RefusalCode.InsufficientFunds, Payment.Allocate(active, 1_000, "ecs", March20).Refusal?.Code);
    }
}
