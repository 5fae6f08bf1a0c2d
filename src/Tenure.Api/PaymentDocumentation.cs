using Microsoft.AspNetCore.Builder;
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

    public static RouteHandlerBuilder DocumentsPaymentPending(this RouteHandlerBuilder route) =>
        route.AddOpenApiOperationTransformer(async (operation, context, cancellation) =>
        {
            var pending = await context.GetOrCreateSchemaAsync(typeof(PaymentPendingAnswer), null, cancellation).ConfigureAwait(false);
            operation.Responses ??= [];
            if (operation.Responses.TryGetValue("202", out var found) && found is OpenApiResponse accepted
                && accepted.Content?.TryGetValue("application/json", out var media) == true && media.Schema is { } other)
            {
                media.Schema = new OpenApiSchema { AnyOf = [other, pending] };
                accepted.Description = $"Either the instance, its paid upgrade waiting for an operator's review (R6.2); or: {Pending}";
                return;
            }

            operation.Responses["202"] = new OpenApiResponse
            {
                Description = Pending,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = pending } },
            };
        });
}
