using Microsoft.AspNetCore.Builder;
using Microsoft.OpenApi;

namespace Tenure.Api;

/// <summary>
/// R13.4 in the OpenAPI document: a money-moving route answers 200 with a <see cref="QuoteAnswer"/> for <c>quoteOnly</c>;
/// where 200 is already its paid answer, the document says it is either (one Produces per status, so it is added here).
/// </summary>
public static class QuoteDocumentation
{
    public static RouteHandlerBuilder DocumentsQuote(this RouteHandlerBuilder route) =>
        route.AddOpenApiOperationTransformer(async (operation, context, cancellation) =>
        {
            var quote = await context.GetOrCreateSchemaAsync(typeof(QuoteAnswer), null, cancellation).ConfigureAwait(false);
            operation.Responses ??= [];
            if (operation.Responses.TryGetValue("200", out var found) && found is OpenApiResponse ok
                && ok.Content?.TryGetValue("application/json", out var media) == true && media.Schema is { } paid)
            {
                media.Schema = new OpenApiSchema { AnyOf = [paid, quote] };
                return;
            }

            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "The quote (quoteOnly): nothing is moved.",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = quote } },
            };
        });
}
