using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tenure.Domain.Catalog;

namespace Tenure.Api.Web;

/// <summary>Seed 003's purchase form: a new instance is quoted first (R13.4) and bought with that quote's ID.</summary>
public static partial class WebConsole
{
    private static void MapPurchase(RouteGroupBuilder console)
    {
        console.MapGet("/buy", (HttpContext http, string? notice, string? error, string? code) => SignedIn(http, (user, _) =>
            Task.FromResult(user.IsOperator
                ? Results.Redirect("/console/operator")
                : (IResult)Page<PurchasePage>(new Frame(user, "Buy an instance", notice, error, code), new { }))));
        console.MapPost("/buy/quote", Handler(http => SignedIn(http, async (user, client) =>
        {
            var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
            return Quoted(user, await QuotePurchase(client, Rules(http).Catalog, form).ConfigureAwait(false));
        })));
        console.MapPost("/buy/pay", Handler(http => SignedIn(http, async (user, client) =>
        {
            var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
            return await PayOrRequote(user, async () =>
            {
                var buy = Purchase(Rules(http).Catalog, form) with { QuoteId = QuoteId(form) };
                var (bought, pending) = await client.Pay<InstanceDto>("/v1/instances", buy, form["idempotencyKey"]).ConfigureAwait(false);
                if (pending is not null)
                {
                    // R2, R7.9: the card's payment is pending; the instance is created only once it succeeds.
                    return ("/console/instances", Show.Text("Payment {0} is pending; the instance is created once it succeeds.",
                        pending.PaymentId));
                }

                return ($"/console/instances/{Uri.EscapeDataString(bought!.Id)}",
                    Show.Text("Bought {0} ({1}): paid {2}; expires {3}.", bought.Id, bought.Spec, Paid(form),
                        Show.At(Calendar(http), bought.ExpiresAt)));
            }, () => QuotePurchase(client, Rules(http).Catalog, form)).ConfigureAwait(false);
        })));
    }

    /// <summary>The purchase the form describes; the product and edition are the catalog's for the chosen spec.</summary>
    private static BuyInstance Purchase(ProductCatalog catalog, IFormCollection form)
    {
        var spec = Spec(form["spec"].ToString());
        var product = catalog.Products.FirstOrDefault(p => p.SpecOf(spec) is not null)
            ?? throw new ApiProblem(400, "validation", Show.Text("There is no spec '{0}' in the catalog.", spec));
        var chargeType = Enum.TryParse<ChargeType>(form["chargeType"], ignoreCase: true, out var c)
            ? c : throw new ApiProblem(400, "validation", "Choose how it is charged.");
        int? months = chargeType == ChargeType.Subscription ? Number(form["months"].ToString(), "Months") : null;
        var region = Blank(form["region"].ToString())
            ?? throw new ApiProblem(400, "validation", "Region: enter a region like cn-hangzhou.");
        return new BuyInstance(product.Code, region, spec, chargeType, product.EditionOf(spec)!.Code, months,
            AutoRenew: chargeType == ChargeType.Subscription && form["autoRenew"] == "on");
    }

    private static async Task<QuoteView> QuotePurchase(ApiClient client, ProductCatalog catalog, IFormCollection form)
    {
        var buy = Purchase(catalog, form);
        var quote = ConsoleQuote.From(await client.Post<QuoteAnswer>("/v1/instances", buy with { QuoteOnly = true }).ConfigureAwait(false));
        var what = buy.ChargeType == ChargeType.Subscription
            ? Show.Text(buy.AutoRenew ? "Buy {0} in {1} for {2} month(s), then auto-renew." : "Buy {0} in {1} for {2} month(s).",
                buy.Spec, buy.Region, buy.PeriodMonths ?? 0)
            : Show.Text("Buy {0} in {1}, pay-as-you-go (charged hourly from the balance).", buy.Spec, buy.Region);
        var fields = new List<Hidden>
        {
            new("spec", buy.Spec), new("region", buy.Region), new("chargeType", buy.ChargeType.ToString()),
            new("total", quote.Total.ToString(CultureInfo.InvariantCulture)), new("currency", quote.Currency),
        };
        if (buy.PeriodMonths is { } months) fields.Add(new Hidden("months", months.ToString(CultureInfo.InvariantCulture)));
        if (buy.AutoRenew) fields.Add(new Hidden("autoRenew", "on"));
        var confirm = Show.Text("Pay {0} and buy", Show.Money(quote.Total, quote.Currency));
        return new QuoteView("Confirm the purchase", quote, what, "/console/buy/pay", confirm, fields, "/console/buy", Purchase: true);
    }
}
