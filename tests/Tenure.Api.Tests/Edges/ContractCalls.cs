using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tenure.Api.Tests.Edges;

/// <summary>An answer as received: status, body text (and JSON when it is JSON) and the response's headers.</summary>
internal sealed record Answer(int Status, string Text, JsonNode? Json, HttpResponseMessage Response)
{
    public string? MediaType => Response.Content.Headers.ContentType?.MediaType;
}

/// <summary>
/// Requests checked against the document as they are made: every answer's status, media type and body
/// must be one the document lists for its operation, and no answer is a 5xx. It keeps which operations
/// answered a success and which a refusal, so a test can fail when one was never exercised.
/// </summary>
internal sealed class ContractCalls(OpenApiContract contract)
{
    private readonly Dictionary<string, (bool Succeeded, bool Refused)> _seen = new(StringComparer.Ordinal);

    public OpenApiContract Contract { get; } = contract;

    public List<string> Failures { get; } = [];

    public async Task<Answer> Send(
        HttpClient client, string method, string pathAndQuery, string? json = null, string? idempotencyKey = null, string? accept = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), pathAndQuery);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        if (accept is not null) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var answer = new Answer((int)response.StatusCode, text, TryParse(text), response);
        Record(method, pathAndQuery, json, answer);
        return answer;
    }

    /// <summary>The operations of the document that never answered a success, and the /v1 ones that never answered a refusal.</summary>
    public IEnumerable<string> Unexercised() => Contract.Operations.SelectMany(o =>
    {
        var (succeeded, refused) = _seen.GetValueOrDefault(o.ToString());
        var missing = new List<string>();
        if (!succeeded) missing.Add($"{o}: no success");
        if (!refused && o.Path.StartsWith("/v1/", StringComparison.Ordinal)) missing.Add($"{o}: no refusal");
        return missing;
    });

    private void Record(string method, string pathAndQuery, string? json, Answer answer)
    {
        // The path as sent: the client resolves dot segments, so /v1/instances/../renew is a request to /v1/renew.
        var path = answer.Response.RequestMessage?.RequestUri?.AbsolutePath ?? pathAndQuery.Split('?')[0];
        var what = $"{method} {pathAndQuery} {Clip(json)}";
        if (answer.Status >= 500) Failures.Add($"{what} answered {answer.Status}: {Clip(answer.Text)}");
        if (Contract.Find(method, path) is not { } operation)
        {
            // A path the document does not describe (an empty ID, say) may be refused in any way, but not served.
            if (answer.Status is >= 200 and < 300) Failures.Add($"{what}: no operation of the document, answered {answer.Status}");
            return;
        }

        var seen = _seen.GetValueOrDefault(operation.ToString());
        _seen[operation.ToString()] =
            (seen.Succeeded || answer.Status is >= 200 and < 300, seen.Refused || answer.Status is >= 400 and < 500);
        var hasLocation = answer.Response.Headers.Location is not null;
        if (Contract.Check(operation, answer.Status, answer.MediaType, answer.Text, hasLocation) is { } failure)
        {
            Failures.Add($"{what}: {failure}");
        }
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Clip(string? text) => text is null ? string.Empty : text.Length <= 200 ? text : text[..200] + "…";
}
