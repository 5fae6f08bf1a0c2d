using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Tenure.Cli;

/// <summary>A refusal or failure from the server, as its problem+json said it.</summary>
public sealed class ApiProblem(int status, string code, string detail) : Exception($"{code}: {detail}")
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Detail { get; } = detail;
}

/// <summary>The CLI's HTTP client for a Tenure server (<c>--server</c>, <c>--key</c>, or TENURE_SERVER and TENURE_KEY).</summary>
public sealed class ApiClient(HttpClient http)
{
    public static ApiClient Create(string server, string key, HttpMessageHandler? handler = null)
    {
        var http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.BaseAddress = new Uri(server.TrimEnd('/') + "/");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return new ApiClient(http);
    }

    public Task<JsonNode> Get(string path) => Send(HttpMethod.Get, path, null);

    public Task<JsonNode> Post(string path, object body) => Send(HttpMethod.Post, path, body);

    public Task<JsonNode> Put(string path, object body) => Send(HttpMethod.Put, path, body);

    private async Task<JsonNode> Send(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        }

        using var response = await http.SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        var json = text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) ?? new JsonObject();
        if (response.IsSuccessStatusCode) return json;
        throw new ApiProblem((int)response.StatusCode, json["code"]?.ToString() ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
            json["detail"]?.ToString() ?? response.ReasonPhrase ?? "request failed");
    }
}
