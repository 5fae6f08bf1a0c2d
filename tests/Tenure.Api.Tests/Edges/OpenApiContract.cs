using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Tenure.Api.Tests.Edges;

/// <summary>
/// The server's own <c>/openapi/v1.json</c> as a contract: which operation a request hit and whether an
/// answer (status, media type, Location, body) is one the document describes. Bodies are checked with
/// JsonSchema.Net: OpenAPI 3.1 schemas are JSON Schema 2020-12, with components moved under <c>$defs</c>.
/// </summary>
internal sealed class OpenApiContract
{
    private readonly JsonObject _defs;
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);
    private readonly EvaluationOptions _evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private OpenApiContract(JsonObject document)
    {
        Document = document;
        _defs = (JsonObject)Rewrite(document["components"]?["schemas"]?.DeepClone() ?? new JsonObject());
        Operations = [.. document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Select(op => new Operation(op.Key.ToUpperInvariant(), path.Key, op.Value!.AsObject())))];
    }

    public JsonObject Document { get; }

    public IReadOnlyList<Operation> Operations { get; }

    public static async Task<OpenApiContract> LoadAsync(HttpClient client)
    {
        var text = await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        return new OpenApiContract(JsonNode.Parse(text)!.AsObject());
    }

    /// <summary>The operation a request to <paramref name="path"/> (no query) hits, or null.</summary>
    public Operation? Find(string method, string path) =>
        Operations.Where(o => o.Method == method && o.Matches(path)).OrderBy(o => o.Path.Count(c => c == '{')).FirstOrDefault();

    /// <summary>Why the answer is not one the document describes, or null when it is.</summary>
    public string? Check(Operation operation, int status, string? mediaType, string body, bool hasLocation)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Node["responses"]?[key] is not JsonObject response)
        {
            return $"{operation} answered {status}, which the document does not list";
        }

        if (status >= 400 && mediaType != "application/problem+json")
        {
            return $"{operation} answered {status} as {mediaType}, not application/problem+json";
        }

        if (status is 201 or 202 && !hasLocation) return $"{operation} answered {status} without Location";
        if (response["content"] is not JsonObject content)
        {
            // A success whose body the document does not describe is not "as documented" (a route without Produces<T>).
            return status < 300 && body.Length > 0 ? $"{operation} answered {status} with a body the document gives no schema for" : null;
        }

        if (mediaType is null || content[mediaType] is not JsonObject media)
        {
            return $"{operation} answered {status} as {mediaType}; the document says {string.Join(", ", content.Select(c => c.Key))}";
        }

        if (media["schema"] is not { } schemaNode || !mediaType.Contains("json", StringComparison.Ordinal)) return null;
        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return $"{operation} answered {status} with a body that is not JSON ({e.Message}): {Clip(body)}";
        }

        using (parsed)
        {
            var schema = _schemas.GetOrAdd($"{operation} {key} {mediaType}", _ => Build(schemaNode));
            var result = schema.Evaluate(parsed.RootElement, _evaluation);
            if (result.IsValid) return null;
            var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .Select(d => $"{d.InstanceLocation} ({d.EvaluationPath}): {string.Join("; ", d.Errors!.Values)}").Take(5);
            return $"{operation} answered {status} with a body that fails its schema: {string.Join(" | ", errors)}; body {Clip(body)}";
        }
    }

    private JsonSchema Build(JsonNode schemaNode)
    {
        // The definitions come first: references are resolved as the schema is built, in document order.
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = _defs.DeepClone(),
            ["allOf"] = new JsonArray(Rewrite(schemaNode.DeepClone())),
        };
        return JsonSchema.Build(JsonSerializer.SerializeToElement(root), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
    }

    /// <summary>Points component references at <c>$defs</c> and drops OpenAPI's number formats, which JSON Schema does not know.</summary>
    private static JsonNode Rewrite(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["format"] is JsonValue format && format.GetValue<string>() is "int32" or "int64" or "double" or "float")
                {
                    obj.Remove("format");
                }

                foreach (var (name, child) in obj.ToList())
                {
                    if (name == "$ref" && child is JsonValue r)
                    {
                        obj["$ref"] = r.GetValue<string>().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
                    }
                    else if (child is not null)
                    {
                        Rewrite(child);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array) if (child is not null) Rewrite(child);
                break;
        }

        return node;
    }

    private static string Clip(string text) => text.Length <= 400 ? text : text[..400] + "…";

    /// <summary>An operation of the document: its method, path template and OpenAPI object.</summary>
    internal sealed record Operation(string Method, string Path, JsonObject Node)
    {
        private readonly Regex _pattern = new("^" + Regex.Replace(Regex.Escape(Path), @"\\\{[^}]+}", "[^/]+") + "$");

        public bool Matches(string path) => _pattern.IsMatch(path);

        public bool HasBody => Node["requestBody"] is not null;

        public JsonNode? BodySchema => Node["requestBody"]?["content"]?["application/json"]?["schema"];

        public IEnumerable<JsonObject> Parameters => (Node["parameters"]?.AsArray() ?? []).OfType<JsonObject>();

        public override string ToString() => $"{Method} {Path}";
    }
}
