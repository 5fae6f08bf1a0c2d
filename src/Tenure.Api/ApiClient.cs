using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tenure.Api;

/// <summary>A refusal or failure from the server, as its problem+json said it.</summary>
public sealed class ApiProblem(int status, string code, string detail, string? title = null, IReadOnlyList<string>? errors = null)
    : Exception($"{code}: {detail}")
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Detail { get; } = detail;

    /// <summary>The problem's human title (e.g. "Period not allowed"); null when the answer had none.</summary>
    public string? Title { get; } = title;

    /// <summary>A validation problem's field messages, each as "field: message".</summary>
    public IReadOnlyList<string> Errors { get; } = errors ?? [];

    /// <summary>Whether the server answered it (its detail is the API's own, English), not the client that made it.</summary>
    public bool Answered { get; init; }
}

/// <summary>
/// An HTTP client of this API, used by the CLI (<c>--server</c>, <c>--key</c>) and by the console,
/// which signs in with a key and calls the API on the server's own listener.
/// </summary>
public sealed class ApiClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Options = JsonOptions();

    public static ApiClient Create(string server, string key, HttpMessageHandler? handler = null) =>
        Create(handler is null ? new HttpClient() : new HttpClient(handler), server, key);

    public static ApiClient Create(HttpClient http, string server, string key)
    {
        http.BaseAddress = new Uri(server.TrimEnd('/') + "/");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return new ApiClient(http);
    }

    public Task<JsonNode> Get(string path) => Send(HttpMethod.Get, path, null);

    public Task<JsonNode> Post(string path, object body, string? idempotencyKey = null) =>
        Send(HttpMethod.Post, path, body, idempotencyKey);

    public Task<JsonNode> Put(string path, object body) => Send(HttpMethod.Put, path, body);

    public Task<JsonNode> Delete(string path) => Send(HttpMethod.Delete, path, null);

    public async Task<T> Get<T>(string path) => Read<T>(await Get(path).ConfigureAwait(false));

    public async Task<T> Post<T>(string path, object body, string? idempotencyKey = null) =>
        Read<T>(await Post(path, body, idempotencyKey).ConfigureAwait(false));

    /// <summary>
    /// R7.9: a paying POST: what it paid, or, when the payment method's payment is pending (202), that payment; never both.
    /// </summary>
    public async Task<(T? Paid, PaymentPendingAnswer? Pending)> Pay<T>(string path, object body, string? idempotencyKey = null)
        where T : class
    {
        var json = await Post(path, body, idempotencyKey).ConfigureAwait(false);
        return json["paymentId"] is not null && json["status"]?.ToString() == "pending"
            ? (null, Read<PaymentPendingAnswer>(json))
            : (Read<T>(json), null);
    }

    public async Task<T> Put<T>(string path, object body) => Read<T>(await Put(path, body).ConfigureAwait(false));

    public async Task<T> Delete<T>(string path) => Read<T>(await Send(HttpMethod.Delete, path, null).ConfigureAwait(false));

    /// <summary>A GET answered as text, e.g. the CSV export (<c>Accept: text/csv</c>).</summary>
    public async Task<string> GetText(string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Accept.ParseAdd(accept);
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return response.IsSuccessStatusCode ? text : throw Problem(response, Parse(text));
    }

    /// <summary>
    /// A GET answered as a file, e.g. a receipt or statement PDF (<c>Accept: application/pdf</c>): its bytes and media type.
    /// </summary>
    public async Task<(byte[] Bytes, string MediaType)> GetFile(string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Accept.ParseAdd(accept);
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw Problem(response, Parse(System.Text.Encoding.UTF8.GetString(bytes)));
        return (bytes, response.Content.Headers.ContentType?.ToString() ?? accept);
    }

    private static T Read<T>(JsonNode json) =>
        json.Deserialize<T>(Options) ?? throw new ApiProblem(502, "bad-response", $"The server answered no {typeof(T).Name}.");

    private async Task<JsonNode> Send(HttpMethod method, string path, object? body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Options);
            request.Headers.Add("Idempotency-Key", idempotencyKey ?? Guid.NewGuid().ToString("N"));
        }

        using var response = await http.SendAsync(request).ConfigureAwait(false);
        var json = Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        return response.IsSuccessStatusCode ? json : throw Problem(response, json);
    }

    private static JsonNode Parse(string text)
    {
        if (text.Length == 0) return new JsonObject();
        try
        {
            return JsonNode.Parse(text) ?? new JsonObject();
        }
        catch (JsonException)
        {
            return new JsonObject { ["detail"] = text.Length > 300 ? text[..300] : text };
        }
    }

    private static ApiProblem Problem(HttpResponseMessage response, JsonNode json) =>
        new((int)response.StatusCode,
            json["code"]?.ToString() ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
            json["detail"]?.ToString() ?? response.ReasonPhrase ?? "request failed", json["title"]?.ToString(), FieldErrors(json))
        {
            Answered = true,
        };

    private static List<string> FieldErrors(JsonNode json) =>
        json["errors"] is JsonObject fields
            ? [.. fields.SelectMany(f => (f.Value as JsonArray ?? []).Select(m => $"{f.Key}: {m}"))]
            : [];

    private static JsonSerializerOptions JsonOptions()
    {
        var options = new JsonSerializerOptions();
        Json.Configure(options);
        options.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip; // a newer server may add fields
        return options;
    }
}
