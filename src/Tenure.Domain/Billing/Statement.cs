using System.Collections.Immutable;
using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Tenure.Domain.Time;

namespace Tenure.Domain.Billing;

/// <summary>A ledger line on a statement, with the balance after it.</summary>
public sealed record StatementLine(LedgerLine Line, long BalanceAfter);

/// <summary>
/// R8.8: a month of the billing zone: the balance when it opened, each cash movement in time order with the
/// balance after it, and the balance when it closed.
/// </summary>
public sealed record Statement(YearMonth Month, long Opening, ImmutableArray<StatementLine> Lines)
{
    /// <summary>Opening + movements = closing, by construction: the closing balance is that sum.</summary>
    public long Closing => Lines.IsEmpty ? Opening : Lines[^1].BalanceAfter;

    public long Movements => Lines.Sum(l => l.Line.Amount);
}

/// <summary>R8.8: statement months and how a statement is made from the ledger.</summary>
public static class Statements
{
    private static readonly YearMonthPattern MonthPattern = YearMonthPattern.CreateWithInvariantCulture("uuuu'-'MM");

    /// <summary>A statement month as the API spells it (<c>2026-03</c>), between 1970 and 2199; anything else is refused.</summary>
    public static Outcome<YearMonth> ParseMonth(string text)
    {
        var parsed = MonthPattern.Parse(text);
        return parsed.Success && parsed.Value.Year is >= 1970 and < 2200
            ? parsed.Value
            : Refusal.Invalid("month", $"'{text}' is not a month: write yyyy-MM, e.g. 2026-03, between 1970-01 and 2199-12.");
    }

    public static string Name(YearMonth month) => MonthPattern.Format(month);

    /// <summary>The instants a month of the billing zone spans: from its first local midnight to the next month's.</summary>
    public static (Instant From, Instant To) Span(BillingCalendar calendar, YearMonth month) =>
        (calendar.StartOf(month.OnDayOfMonth(1)), calendar.StartOf(month.PlusMonths(1).OnDayOfMonth(1)));

    /// <summary>The month of the billing zone an instant falls in.</summary>
    public static YearMonth MonthOf(BillingCalendar calendar, Instant at)
    {
        var date = calendar.DateOf(at);
        return new YearMonth(date.Year, date.Month);
    }

    /// <summary>
    /// The statement of <paramref name="month"/> from the balance before it and the month's cash lines in time order
    /// (then ID order); coupon lines do not move the balance and are left out.
    /// </summary>
    public static Statement Of(YearMonth month, long opening, IEnumerable<LedgerLine> lines)
    {
        var balance = opening;
        var shown = ImmutableArray.CreateBuilder<StatementLine>();
        foreach (var line in lines.Where(l => l.IsCash))
        {
            balance = checked(balance + line.Amount);
            shown.Add(new StatementLine(line, balance));
        }

        return new Statement(month, opening, shown.ToImmutable());
    }

    /// <summary>Minor units as a plain decimal for CSV cells (<c>-12.34</c>); the currency goes in its own column.</summary>
    public static string Decimal(long minor) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{(minor < 0 ? "-" : string.Empty)}{Math.Abs(minor / 100)}.{Math.Abs(minor % 100):D2}");
}
