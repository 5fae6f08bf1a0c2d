namespace Tenure.Domain.Money;

/// <summary>
/// An amount in a currency's minor unit (cents for USD). R7.1: integers only; arithmetic is
/// checked, so an overflow is a bug that throws rather than a wrong charge.
/// </summary>
public readonly record struct Money(long Minor, string Currency) : IComparable<Money>
{
    public static Money Zero(string currency) => new(0, currency);

    public static Money operator +(Money a, Money b) => new(checked(a.Minor + b.Minor), Same(a, b));

    public static Money operator -(Money a, Money b) => new(checked(a.Minor - b.Minor), Same(a, b));

    public static bool operator <(Money a, Money b) => a.CompareTo(b) < 0;

    public static bool operator >(Money a, Money b) => a.CompareTo(b) > 0;

    public static bool operator <=(Money a, Money b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Money a, Money b) => a.CompareTo(b) >= 0;

    public int CompareTo(Money other)
    {
        Same(this, other);
        return Minor.CompareTo(other.Minor);
    }

    public Money Times(long factor) => this with { Minor = checked(Minor * factor) };

    public override string ToString() => $"{(Minor < 0 ? "-" : string.Empty)}{Math.Abs(Minor / 100)}.{Math.Abs(Minor % 100):D2} {Currency}";

    private static string Same(Money a, Money b) =>
        a.Currency == b.Currency ? a.Currency : throw new InvalidOperationException($"Currency mismatch: {a.Currency} vs {b.Currency}");
}

/// <summary>The rounding rules of R7.7 and the period prices of R7.2.</summary>
public static class Pricing
{
    /// <summary>
    /// R7.7: a charge that is a fraction is rounded up to the minor unit. <c>ceil(numerator / denominator)</c> for non-negative numerators.
    /// </summary>
    public static long CeilDiv(long numerator, long denominator)
    {
        if (denominator <= 0) throw new ArgumentOutOfRangeException(nameof(denominator));
        if (numerator <= 0) return -(-numerator / denominator);
        return checked(((numerator - 1) / denominator) + 1);
    }

    /// <summary>
    /// R7.7: a refund that is a fraction is rounded down. <c>floor(numerator / denominator)</c> for non-negative numerators.
    /// </summary>
    public static long FloorDiv(long numerator, long denominator)
    {
        if (denominator <= 0) throw new ArgumentOutOfRangeException(nameof(denominator));
        return numerator >= 0 ? numerator / denominator : -CeilDiv(-numerator, denominator);
    }

    /// <summary>
    /// R7.2: monthly × months, except that 12 months cost monthly × <paramref name="yearPriceMonths"/>.
    /// </summary>
    /// <remarks>
    /// (Tenure) Longer periods made of whole years (24, 36) are priced as that many years, so a two-year
    /// purchase never costs more than two one-year purchases.
    /// </remarks>
    public static long PeriodPrice(long monthly, int months, int yearPriceMonths)
    {
        if (months <= 0) throw new ArgumentOutOfRangeException(nameof(months));
        return months % 12 == 0
            ? checked(monthly * yearPriceMonths * (months / 12))
            : checked(monthly * months);
    }

    /// <summary>R6.2/R8.3: <c>ceil(monthly × days / 30)</c>, the price of a part of a month.</summary>
    public static long DaysPrice(long monthly, int days) => CeilDiv(checked(monthly * Math.Max(days, 0)), 30);
}
