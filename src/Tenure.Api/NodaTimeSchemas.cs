using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using NodaTime;

namespace Tenure.Api;

/// <summary>
/// NodaTime values have converters, so the generator sees no shape and writes <c>{}</c>; then
/// <c>oneOf [null, {}]</c> matches a null twice and every PAYG instance failed its own schema.
/// They are strings (Json.Configure): an instant is an RFC 3339 date-time, a date a full-date.
/// </summary>
internal static class NodaTimeSchemas
{
    private static readonly Dictionary<Type, string> Formats = new()
    {
        [typeof(Instant)] = "date-time",
        [typeof(LocalDate)] = "date",
    };

    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        var underlying = Nullable.GetUnderlyingType(type);
        if (Formats.TryGetValue(underlying ?? type, out var format))
        {
            schema.Type = underlying is null ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = format;
        }

        return Task.CompletedTask;
    }
}
