using System.Text;
using NodaTime.Text;
using Tenure.Api.Web;
using Tenure.Domain.Billing;
using Tenure.Domain.Time;

namespace Tenure.Api;

/// <summary>
/// R8.8: the ledger and statements as CSV (RFC 4180): one row per line with its UTC instant and billing-zone local
/// time, amounts as decimals of the currency in its own column.
/// </summary>
public static class BillingCsv
{
    private const string Header = "id,at,localTime,kind,amount,balanceAfter,currency,orderId,couponId,instanceId,memo\r\n";

    public static string Ledger(IEnumerable<LedgerLineDto> lines, BillingCalendar calendar)
    {
        var csv = new StringBuilder(Header);
        foreach (var line in lines) Row(csv, calendar, line);
        return csv.ToString();
    }

    /// <summary>A statement: an opening row, its entries, and a closing row, in the ledger's columns.</summary>
    public static string Statement(StatementDto statement, BillingCalendar calendar)
    {
        var csv = new StringBuilder(Header);
        Cells(csv, [string.Empty, InstantPattern.ExtendedIso.Format(statement.From), Show.At(calendar, statement.From), "openingBalance",
            string.Empty,
            Statements.Decimal(statement.OpeningBalance), statement.Currency, string.Empty, string.Empty, string.Empty, statement.Month]);
        foreach (var line in statement.Entries) Row(csv, calendar, line);
        Cells(csv, [string.Empty, InstantPattern.ExtendedIso.Format(statement.To), Show.At(calendar, statement.To), "closingBalance",
            string.Empty,
            Statements.Decimal(statement.ClosingBalance), statement.Currency, string.Empty, string.Empty, string.Empty, statement.Month]);
        return csv.ToString();
    }

    private static void Row(StringBuilder csv, BillingCalendar calendar, LedgerLineDto l) =>
        Cells(csv, [l.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), InstantPattern.ExtendedIso.Format(l.At),
            Show.At(calendar, l.At), l.Kind, Statements.Decimal(l.Amount), Statements.Decimal(l.BalanceAfter), l.Currency,
            l.OrderId ?? string.Empty, l.CouponId ?? string.Empty,
            l.InstanceId ?? string.Empty, l.Memo]);

    private static void Cells(StringBuilder csv, string[] cells) => csv.AppendJoin(',', cells.Select(Quote)).Append("\r\n");

    private static string Quote(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : cell;
}
