using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace Tenure.Api;

/// <summary>
/// R7.9 in the OpenAPI document: a paying command whose payment-method part is pending answers 202 with a
/// <see cref="PaymentPendingAnswer"/> and its Location. Where 202 is already another answer (a reviewed upgrade's instance,
/// R6.2), the document says it is either (one Produces per status, so it is added here).
/// </summary>
public static class PaymentDocumentation
{
    private const string Pending =
        "The payment method's payment is pending (R7.9): {paymentId, status: \"pending\"}; nothing is applied until it succeeds, " +
        "and Location (/v1/payments/{paymentId}) shows its result.";

    /// <summary>202 is the pending payment only.</summary>
    public static RouteHandlerBuilder DocumentsPaymentPending(this RouteHandlerBuilder route) =>
        route.Produces<PaymentPendingAnswer>(202).AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.TryGetValue("202", out var found) == true && found is OpenApiResponse accepted)
                accepted.Description = Pending;
            return Task.CompletedTask;
        });

    /// <summary>202 is the answer its Produces gives, described by <paramref name="what"/>, or the pending payment.</summary>
    public static RouteHandlerBuilder DocumentsPaymentPending(this RouteHandlerBuilder route, string what) =>
        route.AddOpenApiOperationTransformer(async (operation, context, cancellation) =>
        {
            var pending = await context.GetOrCreateSchemaAsync(typeof(PaymentPendingAnswer), null, cancellation).ConfigureAwait(false);
            if (operation.Responses?.TryGetValue("202", out var found) == true && found is OpenApiResponse accepted
                && accepted.Content?.TryGetValue("application/json", out var media) == true && media.Schema is { } other)
            {
                media.Schema = new OpenApiSchema { AnyOf = [other, pending] };
                accepted.Description = $"Either {what}; or: {Pending}";
            }
        });
}
