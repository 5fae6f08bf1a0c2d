using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tenure.Api;

/// <summary>
/// Documents the problems (application/problem+json, API.md "Errors") each operation can answer, and
/// the <c>Location</c> of its 201 and 202. Statuses that depend on one route (403 of operator routes,
/// 404 of routes that name an account in the body) are declared on the route with <c>ProducesProblem</c>;
/// the ones that follow from what the operation is are added here, so no route can forget them.
/// </summary>
internal static class ProblemResponses
{
    private const string ProblemJson = "application/problem+json";

    public static Task TransformAsync(
        OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var path = description.RelativePath ?? string.Empty;
        operation.Responses ??= [];
        foreach (var (status, response) in operation.Responses)
        {
            if (status is "201" or "202" && response is OpenApiResponse created)
            {
                created.Headers ??= new Dictionary<string, IOpenApiHeader>();
                created.Headers["Location"] = new OpenApiHeader
                {
                    Description = "Where the resource lives.", Required = true, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }
        }

        if (!path.StartsWith("v1/", StringComparison.Ordinal))
        {
            if (path == "readyz") Add(operation, 503, "The database is not reachable or not migrated.");
            return Task.CompletedTask;
        }

        Add(operation, 400, "The request is not valid (code validation); errors names the fields.");
        Add(operation, 401, "No API key, or not a valid one (code unauthorized).");
        Add(operation, 429, "Too many requests for this key (code rate-limited); retry after Retry-After seconds.");
        if (path.Contains('{', StringComparison.Ordinal))
        {
            Add(operation, 404, "It does not exist, or this key may not see it (code not-found).");
        }

        if (description.ParameterDescriptions.Any(p => p.Source.Id == "Body"))
        {
            Add(operation, 413, "The request body is too large.");
            Add(operation, 415, "The body is not application/json.");
        }

        if (!HttpMethods.IsGet(description.HttpMethod ?? HttpMethods.Get))
        {
            Add(operation, 402, "Coupons, balance and the payment method do not cover the charge (code insufficient-funds), " +
                "or the payment method was declined (payment-declined).");
            Add(operation, 409, "Not allowed in the instance's current state (code invalid-state), or the quote is stale (quote-stale).");
            Add(operation, 422, "A product rule refuses it, or the Idempotency-Key was used with a different request.");
        }

        // Problems declared on the route (ProducesProblem) get the same schema as the ones added here.
        foreach (var (status, response) in operation.Responses)
        {
            if (status.StartsWith('4') || status.StartsWith('5')) Describe(response, status);
        }

        return Task.CompletedTask;
    }

    private static void Add(OpenApiOperation operation, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!operation.Responses!.ContainsKey(key)) operation.Responses[key] = new OpenApiResponse { Description = description };
    }

    private static void Describe(IOpenApiResponse response, string status)
    {
        if (response is not OpenApiResponse problem) return;
        if (string.IsNullOrEmpty(problem.Description) || problem.Description is "Bad Request" or "Forbidden" or "Not Found")
        {
            problem.Description = $"A problem ({status}).";
        }

        problem.Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = Schema() } };
    }

    /// <summary>RFC 9457 with API.md's <c>code</c> and, for validation, <c>errors</c>; other members may follow (traceId).</summary>
    private static OpenApiSchema Schema() => new()
    {
        Type = JsonSchemaType.Object,
        Required = new HashSet<string> { "type", "title", "status", "detail", "code" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "API.md's error code." },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                AdditionalProperties = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String },
                },
            },
        },
    };
}
