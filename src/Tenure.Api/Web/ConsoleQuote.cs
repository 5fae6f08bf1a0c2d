using NodaTime;

namespace Tenure.Api.Web;

/// <summary>
/// A quote as the quote page shows it, from either answer the API gives (a batch's <see cref="QuoteDto"/> or a single
/// route's <see cref="QuoteAnswer"/>): what each instance pays and its new expiry, the coverage and any shortfall (R13.4).
/// </summary>
public sealed record ConsoleQuote(
    IReadOnlyList<QuoteItemDto> Items, long Total, string Currency, string QuoteId, long Covered, long Shortfall, Instant? EffectiveAt)
{
    /// <summary>R7.8: the part of <see cref="Covered"/> the payment method on file pays, as the API's quote says.</summary>
    public long CoveredByPaymentMethod { get; init; }

    /// <summary>How many instance rows the page lists; a batch by filter of thousands says how many more there are.</summary>
    public const int RowsShown = 200;

    public static ConsoleQuote From(QuoteDto quote) =>
        new(quote.Items, quote.Total, quote.Currency, quote.QuoteId, quote.Covered, quote.Shortfall, null)
        {
            CoveredByPaymentMethod = quote.CoveredByPaymentMethod,
        };

    public static ConsoleQuote From(QuoteAnswer quote) =>
        new(quote.Items, quote.Amount, quote.Currency, quote.QuoteId, quote.Covered, quote.Shortfall, quote.EffectiveAt)
        {
            CoveredByPaymentMethod = quote.CoveredByPaymentMethod,
        };
}

/// <summary>
/// What the quote page needs around a quote: its title, what the action is (in words), where Pay posts, the pay button's
/// words, the fields Pay sends, the way back, and whether it buys a new instance (which has no current expiry).
/// </summary>
public sealed record QuoteView(
    string Title, ConsoleQuote Quote, string What, string Action, string Confirm, IReadOnlyList<Hidden> Fields, string Back,
    bool Purchase = false);
