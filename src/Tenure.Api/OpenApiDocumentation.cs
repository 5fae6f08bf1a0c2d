using Microsoft.AspNetCore.OpenApi;

namespace Tenure.Api;

/// <summary>
/// What <c>/openapi/v1.json</c> says: the JSON API and the health checks (not the HTML console),
/// NodaTime values as the strings they are written as, and every problem an operation can answer.
/// </summary>
public static class OpenApiDocumentation
{
    public static void Configure(OpenApiOptions options)
    {
        options.ShouldInclude = d =>
            d.RelativePath is { } path && (path.StartsWith("v1/", StringComparison.Ordinal) || path is "healthz" or "readyz");
        options.AddSchemaTransformer(NodaTimeSchemas.TransformAsync);
        options.AddOperationTransformer(ProblemResponses.TransformAsync);
    }
}
