using Tenure.Api.Web;
using Tenure.Domain.Time;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>R8.8: a month's statement as a PDF: the provider, the account, opening balance, each movement, closing balance.</summary>
public static class StatementPdf
{
    public static byte[] Render(StatementDto statement, AccountRow account, Provider provider, BillingCalendar calendar)
    {
        string Money(long amount) => Show.Money(amount, statement.Currency);
        using var pdf = new PdfLines($"Statement {statement.Month} {account.Id}");
        pdf.Heading($"Statement {statement.Month} · {provider.Name}");
        foreach (var line in provider.AddressLines) pdf.Text(line);
        pdf.Space();
        pdf.Text($"Account: {account.Name} ({account.Id}, {account.Email})");
        pdf.Text($"From {Show.At(calendar, statement.From)} to {Show.At(calendar, statement.To)} ({statement.TimeZone})");
        pdf.Space();
        pdf.Row([("Opening balance", 0), (Money(statement.OpeningBalance), 0.82)], bold: true);
        pdf.Row([("Time", 0), ("Kind", 0.2), ("Memo", 0.34), ("Amount", 0.66), ("Balance after", 0.82)], bold: true);
        foreach (var e in statement.Entries)
        {
            pdf.Row([(Show.At(calendar, e.At), 0), (Show.Words(e.Kind), 0.2), (e.Memo.Length > 40 ? e.Memo[..40] : e.Memo, 0.34),
                (Money(e.Amount), 0.66), (Money(e.BalanceAfter), 0.82)]);
        }

        pdf.Row([("Closing balance", 0), (Money(statement.ClosingBalance), 0.82)], bold: true);
        return pdf.ToBytes();
    }
}
