using System.Net;
using System.Text;
using Tenure.Api.Web;
using Tenure.Domain.Time;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>A receipt's item: the instance, what the order did, its period in local time, and its amount.</summary>
public sealed record ReceiptItem(string InstanceId, string Kind, string Period, string Amount);

/// <summary>
/// R8.8: a receipt for an order, as text ready to print: the provider, the account, each item with its period in
/// the billing zone's local time, what paid it, the order ID and time. The PDF and the HTML page show this same one.
/// </summary>
public sealed record Receipt(
    Provider Provider, string OrderId, string Time, string AccountName, string AccountId, string AccountEmail,
    IReadOnlyList<ReceiptItem> Items, IReadOnlyList<(string Label, string Amount)> Totals)
{
    public static Receipt Of(OrderDto order, AccountRow account, Provider provider, BillingCalendar calendar)
    {
        string Money(long amount) => Show.Money(amount, order.Currency);
        var zone = calendar.Zone.Id;
        var items = order.Items.Select(i => new ReceiptItem(
            i.InstanceId, Show.Words(i.Kind), $"{Show.At(calendar, i.PeriodStart)} – {Show.At(calendar, i.PeriodEnd)}",
            Money(i.Amount))).ToList();
        var totals = new List<(string, string)>
        {
            ("Total", Money(order.Total)), ("Paid by coupons", Money(order.PaidByCoupons)),
            ("Paid from balance", Money(order.PaidByBalance)),
            ("Paid by payment method", Money(order.PaidByPaymentMethod)),
        };
        if (order.Refunded != 0) totals.Add(("Refunded", Money(order.Refunded)));
        return new Receipt(provider, order.Id, $"{Show.At(calendar, order.At)} ({zone})", account.Name, account.Id, account.Email, items,
            totals);
    }

    public byte[] ToPdf()
    {
        using var pdf = new PdfLines($"Receipt {OrderId}");
        pdf.Heading($"Receipt · {Provider.Name}");
        foreach (var line in Provider.AddressLines) pdf.Text(line);
        pdf.Space();
        pdf.Text($"Order {OrderId}", bold: true);
        pdf.Text($"Time: {Time}");
        pdf.Text($"Account: {AccountName} ({AccountId}, {AccountEmail})");
        pdf.Space();
        pdf.Row([("Instance", 0), ("Item", 0.28), ("Period (local time)", 0.45), ("Amount", 0.84)], bold: true);
        foreach (var item in Items) pdf.Row([(item.InstanceId, 0), (item.Kind, 0.28), (item.Period, 0.45), (item.Amount, 0.84)]);
        pdf.Space();
        foreach (var (label, amount) in Totals) pdf.Row([(label, 0.45), (amount, 0.84)], bold: label == "Total");
        return pdf.ToBytes();
    }

    public string ToHtml()
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>Receipt ").Append(E(OrderId)).Append("</title><style>").Append(Styles.Css).Append("</style></head><body><main>")
            .Append("<h1>Receipt · ").Append(E(Provider.Name)).Append("</h1><address>");
        html.AppendJoin("<br>", Provider.AddressLines.Select(E)).Append("</address>")
            .Append("<p><strong>Order ").Append(E(OrderId)).Append("</strong><br>Time: ").Append(E(Time))
            .Append("<br>Account: ").Append(E(AccountName)).Append(" (").Append(E(AccountId)).Append(", ").Append(E(AccountEmail))
            .Append(")</p>")
            .Append("<table><caption>Items</caption><thead><tr><th scope=\"col\">Instance</th><th scope=\"col\">Item</th>")
            .Append("<th scope=\"col\">Period (local time)</th><th scope=\"col\">Amount</th></tr></thead><tbody>");
        foreach (var i in Items)
        {
            html.Append("<tr><td>").Append(E(i.InstanceId)).Append("</td><td>").Append(E(i.Kind)).Append("</td><td>").Append(E(i.Period))
                .Append("</td><td>").Append(E(i.Amount)).Append("</td></tr>");
        }

        html.Append("</tbody></table><table><caption>Paid</caption><tbody>");
        foreach (var (label, amount) in Totals)
        {
            html.Append("<tr><th scope=\"row\">").Append(E(label)).Append("</th><td>").Append(E(amount)).Append("</td></tr>");
        }
        return html.Append("</tbody></table></main></body></html>").ToString();
    }
}
