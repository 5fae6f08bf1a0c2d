using System.Globalization;
using Microsoft.AspNetCore.Http;
using Tenure.Domain.Time;

namespace Tenure.Api.Web;

/// <summary>
/// R13.4 in the console: every money-moving action on one instance (renew, spec change, renew-and-downgrade, edition
/// change) is first asked of the API with <c>quoteOnly</c> and shown; Pay carries the quote's ID, and a stale quote is
/// answered with the new one. The console prices nothing itself: each quote is the API's own decision, not written.
/// </summary>
public static partial class WebConsole
{
    private const string StaleQuote = "The price or expiry changed; here is the new quote. Nothing was charged.";

    private static readonly string[] PricedActions = ["renew", "spec-change", "renew-downgrade", "edition"];

    /// <summary>The quote of one instance's priced action, with the fields its Pay form sends back.</summary>
    private static async Task<QuoteView> QuoteInstance(
        ApiClient client, BillingCalendar calendar, string id, string action, IFormCollection form)
    {
        string Field(string name) => form[name].ToString();
        int Months() => Number(Field("months"), "Months");
        var months = new Hidden("months", Field("months"));
        var path = $"/v1/instances/{Uri.EscapeDataString(id)}";
        var back = $"/console/instances/{Uri.EscapeDataString(id)}";
        Task<QuoteAnswer> Ask(string route, object body) => client.Post<QuoteAnswer>($"{path}/{route}", body);
        var (answer, title, what, verb, fields) = action switch
        {
            "renew" => (await Ask("renew", new RenewInstance(Months(), QuoteOnly: true)).ConfigureAwait(false),
                Show.Text("Confirm the renewal of {0}", id), Show.Text("Renew {0} for {1} month(s).", id, Months()), "Pay {0} and renew",
                new List<Hidden> { months }),
            "spec-change" => (await Ask("spec-change", new SpecChangeRequest(Spec(Field("spec")), QuoteOnly: true)).ConfigureAwait(false),
                Show.Text("Confirm the spec change of {0}", id), Show.Text("Change the spec of {0} to {1}.", id, Field("spec")),
                "Pay {0} and change the spec",
                new List<Hidden> { new("spec", Field("spec")) }),
            "renew-downgrade" => (await Ask("renew-downgrade", new RenewDowngradeRequest(Months(), Spec(Field("spec")), QuoteOnly: true))
                    .ConfigureAwait(false),
                Show.Text("Confirm the renewal with a downgrade of {0}", id),
                Show.Text("Renew {0} for {1} month(s) and downgrade it to {2} from the next cycle.", id, Months(), Field("spec")),
                "Pay {0} and renew and downgrade",
                new List<Hidden> { months, new("spec", Field("spec")) }),
            "edition" => (await Ask("edition", new EditionRequest(Spec(Field("edition")), Months(), QuoteOnly: true)).ConfigureAwait(false),
                Show.Text("Confirm the edition change of {0}", id),
                Show.Text("Change {0} to the {1} edition for {2} month(s), keeping its instance ID.", id, Field("edition"), Months()),
                "Pay {0} and change the edition",
                new List<Hidden> { months, new("edition", Field("edition")) }),
            _ => throw new ApiProblem(404, "not-found", Show.Text("There is no priced action '{0}'.", action)),
        };
        var quote = ConsoleQuote.From(answer);
        if (answer.NewExpiresAt is { } expires && action != "renew") what += Show.Text(" New expiry: {0}.", Show.At(calendar, expires));
        fields.Add(new Hidden("total", quote.Total.ToString(CultureInfo.InvariantCulture)));
        fields.Add(new Hidden("currency", quote.Currency));
        var confirm = Show.Text(verb, Show.Money(quote.Total, quote.Currency));
        return new QuoteView(title, quote, what, $"{back}/{action}", confirm, fields, back);
    }

    /// <summary>A spec or edition chosen in a drop-down whose first choice is "choose one" (no paid choice is the default).</summary>
    private static string Spec(string chosen) =>
        Blank(chosen) ?? throw new ApiProblem(400, "validation", "Choose one from the list first.");

    /// <summary>The quote ID a Pay form carries; a payment without one is refused here, before it reaches the API.</summary>
    private static string QuoteId(IFormCollection form) =>
        Blank(form["quoteId"].ToString())
            ?? throw new ApiProblem(400, "validation", "Ask for a quote first: the console pays only a price it has shown.");

    /// <summary>
    /// The quoted total, to say what was paid: the payment carried the quote's ID, so the API charged exactly this or nothing.
    /// </summary>
    private static string Paid(IFormCollection form) =>
        long.TryParse(form["total"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var total)
            && form["currency"].ToString() is { Length: 3 } currency
            ? Show.Money(total, currency)
            : Show.Text("the quoted price");

    /// <summary>The quote page, or with <paramref name="stale"/> the new quote after the old one went stale (409).</summary>
    private static IResult Quoted(ConsoleUser user, QuoteView view, bool stale = false) =>
        Page<QuotePage>(new Frame(user, view.Title, Error: stale ? StaleQuote : null), new { View = view }, stale ? 409 : 200);

    /// <summary>Pays and redirects with the notice; on <c>quote-stale</c> nothing moved, and the new quote is shown instead.</summary>
    private static async Task<IResult> PayOrRequote(
        ConsoleUser user, Func<Task<(string Path, string Notice)>> pay, Func<Task<QuoteView>> requote)
    {
        try
        {
            var (path, notice) = await pay().ConfigureAwait(false);
            return Results.Redirect(With(path, "notice", notice));
        }
        catch (ApiProblem problem) when (problem.Code == "quote-stale")
        {
            return Quoted(user, await requote().ConfigureAwait(false), stale: true);
        }
    }
}
