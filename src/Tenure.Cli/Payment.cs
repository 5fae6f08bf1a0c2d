using System.Text.Json.Nodes;
using Tenure.Api;

namespace Tenure.Cli;

/// <summary>Where a money-moving command quotes and pays; the two are one route with <c>quoteOnly</c> except for batches.</summary>
/// <remarks>A purchase's quote names an instance that does not exist yet; <see cref="Purchase"/> shows it as "(new)".</remarks>
internal sealed record PaymentRoute(string QuotePath, string PayPath, JsonObject Body, bool Purchase = false)
{
    public PaymentRoute(string path, JsonObject body, bool purchase = false)
        : this(path, path, body, purchase)
    {
    }
}

/// <summary>
/// R13.4 in a terminal: no payment without a price. Every money-moving command quotes first and shows the amount, each new
/// expiry, what coupons and balance cover and any shortfall; asks (or takes <c>--yes</c>); and pays that quote only, by its
/// <c>quoteId</c>. A quote gone stale pays nothing and shows what changed and the new quote.
/// </summary>
internal static class Payment
{
    public static async Task<int> QuoteThenPay(Client client, PaymentRoute route, bool yes, Func<JsonNode, JsonNode, string> paid)
    {
        var quote = await Quote(client, route).ConfigureAwait(false);
        Show(client.Out, quote, route.Purchase);
        if (!yes)
        {
            switch (client.Out.Confirm($"Pay {Amount(quote)}?"))
            {
                case null:
                    client.Out.Error("stdin is not a terminal: pass --yes to pay this quote; nothing was paid.");
                    return ExitCodes.Usage;
                case false:
                    client.Out.Error("not paid: the quote was declined.");
                    return ExitCodes.Declined;
            }
        }

        var body = route.Body.DeepClone().AsObject();
        body["quoteId"] = quote["quoteId"]?.ToString();
        try
        {
            var result = await client.Api.Post(route.PayPath, body).ConfigureAwait(false);
            if (result["paymentId"] is { } payment && result["status"]?.ToString() == "pending")
            {
                // R7.9: 202: the payment method's payment is pending; the worker or the gateway's result settles it.
                client.Out.Line($"Payment {payment} is pending with the payment method: nothing is applied until it succeeds " +
                    $"(GET /v1/payments/{payment} shows it).");
                return ExitCodes.Ok;
            }

            client.Out.Line(paid(result, quote));
            return ExitCodes.Ok;
        }
        catch (ApiProblem problem) when (problem.Code == "quote-stale")
        {
            var fresh = await Quote(client, route).ConfigureAwait(false);
            client.Out.Error("the price or expiry changed since the quote; nothing was paid.");
            foreach (var change in Changes(client.Out, quote, fresh)) client.Out.Error($"  {change}");
            client.Out.Line("The new quote:");
            Show(client.Out, fresh, route.Purchase);
            client.Out.Line("Run the command again to pay the new quote.");
            return ExitCodes.Refused;
        }
    }

    /// <summary>The quote's total, formatted with its currency.</summary>
    public static string Amount(JsonNode quote) => ClientCommands.Money(quote["amount"] ?? quote["total"], quote["currency"]);

    private static Task<JsonNode> Quote(Client client, PaymentRoute route)
    {
        var body = route.Body.DeepClone().AsObject();
        if (route.QuotePath == route.PayPath) body["quoteOnly"] = true;
        return client.Api.Post(route.QuotePath, body);
    }

    private static void Show(Terminal terminal, JsonNode quote, bool purchase)
    {
        var items = quote["items"]?.AsArray() ?? [];
        terminal.Columns(["Instance", "Expires now", "New expiry", "Amount"], items.Select(q => (IReadOnlyList<string>)
            [purchase ? "(new)" : q!["instanceId"]?.ToString() ?? "-", purchase ? "-" : terminal.Time(q!["currentExpiresAt"]),
             terminal.Time(q!["newExpiresAt"]),
             ClientCommands.Money(q["amount"], quote["currency"])]));
        var many = items.Count > 1 ? $" for {items.Count} instances in one order" : string.Empty;
        terminal.Line($"Total: {Amount(quote)}{many}");
        if (quote["newExpiresAt"] is { } expires && items.Count <= 1) terminal.Line($"New expiry: {terminal.Time(expires)}");
        if (quote["effectiveAt"] is { } effective) terminal.Line($"Takes effect: {terminal.Time(effective)}");
        // R7.8: the label says what the API's quote counted: the payment method too when it pays a part.
        var covered = ClientCommands.Money(quote["covered"], quote["currency"]);
        if (quote["coveredByPaymentMethod"] is { } byMethod && byMethod.GetValue<long>() > 0)
        {
            terminal.Line($"Coupons, balance and payment method cover: {covered} " +
                $"(the payment method {ClientCommands.Money(byMethod, quote["currency"])})");
        }
        else
        {
            terminal.Line($"Coupons and balance cover: {covered}");
        }
        if (quote["shortfall"]?.GetValue<long>() is > 0)
        {
            var shortfall = ClientCommands.Money(quote["shortfall"], quote["currency"]);
            terminal.Line($"Shortfall: {shortfall} (top up or add a coupon, or the payment is refused)");
        }
    }

    private static List<string> Changes(Terminal terminal, JsonNode old, JsonNode fresh)
    {
        var changes = new List<string>();
        if (Amount(old) != Amount(fresh)) changes.Add($"amount: {Amount(old)} → {Amount(fresh)}");
        var before = (old["items"]?.AsArray() ?? [])
            .ToDictionary(i => i!["instanceId"]!.ToString(), i => terminal.Time(i!["newExpiresAt"]));
        foreach (var item in fresh["items"]?.AsArray() ?? [])
        {
            var id = item!["instanceId"]!.ToString();
            var now = terminal.Time(item["newExpiresAt"]);
            if (before.TryGetValue(id, out var then) && then != now) changes.Add($"{id}: new expiry {then} → {now}");
        }

        if (changes.Count == 0) changes.Add("the instance changed since the quote (its state, coupons or balance)");
        return changes;
    }
}
