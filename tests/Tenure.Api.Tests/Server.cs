using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using NodaTime;
using NodaTime.Testing;
using Tenure.Engine.Delivery;
using Tenure.Storage;

namespace Tenure.Api.Tests;

/// <summary>The real server on a loopback port over a SQLite file, one per test class.</summary>
public class Server : IAsyncLifetime
{
    public const string OperatorKey = "op-test-key";

    /// <summary>The gateway secret (R7.9) results are signed with; no gateway URL unless a subclass sets one.</summary>
    public const string PaymentSecret = "gateway-test-secret";

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"tenure-api-{Guid.NewGuid():N}.db");
    private WebApplication? _app;

    public Database Db { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public FakeClock Clock { get; } = new(Instant.FromUtc(2026, 11, 23, 0, 0));

    /// <summary>Options a subclass may change.</summary>
    protected virtual ApiOptions Configure(ApiOptions options) => options;

    /// <summary>The database the server runs on; SQLite unless a subclass says otherwise.</summary>
    protected virtual Database CreateDatabase() => Database.Sqlite(_file);

    /// <summary>Why this server cannot run here (its tests then skip), or null.</summary>
    public virtual string? SkipReason => null;

    public async ValueTask InitializeAsync()
    {
        if (SkipReason is not null) return;
        Db = CreateDatabase();
        Db.Migrate();
        var options = new ApiOptions(Db, OperatorKey, Clock, RunEngine: false) { Payments = new() { Secret = PaymentSecret } };
        _app = TenureApi.Build(Configure(options), ["--urls", "http://127.0.0.1:0"]);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.First());
    }

    public virtual async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_app is not null) await _app.DisposeAsync();
        Storage.Database.DeleteSqliteFiles(_file);
    }

    /// <summary>R7.9: the gateway's signed result of payment <paramref name="paymentId"/>, posted as a gateway would.</summary>
    public async Task<(int Status, JsonNode? Body)> PostPaymentResult(string paymentId, string json, string? secret = PaymentSecret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/payments/{paymentId}/result")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        var timestamp = Clock.GetCurrentInstant().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers.Add(Dispatcher.TimestampHeader, timestamp);
        if (secret is not null) request.Headers.Add(Dispatcher.SignatureHeader, Dispatcher.Sign(secret, timestamp, json));
        using var anonymous = Client(null);
        var response = await anonymous.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>The routes the server maps.</summary>
    public IReadOnlyList<Microsoft.AspNetCore.Http.Endpoint> Endpoints =>
        [.. Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>(_app!.Services).Endpoints];

    public HttpClient Client(string? key = OperatorKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>
    /// A client whose connections come from another loopback address (127.0.0.0/8 is all loopback on
    /// Linux), for limits kept per client address; it sends only the cookies a request names and does not follow redirects.
    /// </summary>
    public HttpClient ClientFrom(string address, string? key = OperatorKey)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                try
                {
                    socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(address), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}

/// <summary>The same server over a database of the test run's PostgreSQL cluster.</summary>
public class PostgresServer(Tenure.Storage.Tests.PostgresCluster cluster) : Server
{
    /// <summary>No PostgreSQL binaries: skip, except under CI=true, where creating the database fails the tests.</summary>
    public override string? SkipReason =>
        cluster.ConnectionString is null && Environment.GetEnvironmentVariable("CI") != "true" ? cluster.Unavailable : null;

    protected override Database CreateDatabase() => Database.Postgres(cluster.CreateDatabase());
}

/// <summary>
/// A server whose limits are small enough to hit deterministically: bursts of 5, 1 a second; 5 failed sign-ins, 1 a minute.
/// </summary>
public sealed class LimitedServer : Server
{
    protected override ApiOptions Configure(ApiOptions options) =>
        options with { RateLimitBurst = 5, RateLimitPerSecond = 1, AuthFailureBurst = 5, AuthFailuresPerMinute = 1 };
}

/// <summary>Small helpers for JSON over HTTP.</summary>
internal static class Http
{
    public static async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Send(
        this HttpClient client, HttpMethod method, string path, object? body = null, string? rawJson = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (rawJson is not null) request.Content = new StringContent(rawJson, Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Post(
        this HttpClient client, string path, object? body = null, string? idempotencyKey = null) =>
        client.Send(HttpMethod.Post, path, body, idempotencyKey: idempotencyKey);

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> Get(this HttpClient client, string path) =>
        client.Send(HttpMethod.Get, path);

    public static string Str(this JsonNode? node, string path)
    {
        var current = node;
        foreach (var part in path.Split('.')) current = current?[part];
        return current switch
        {
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            null => throw new InvalidOperationException($"No {path} in {node?.ToJsonString()}"),
            _ => current.ToJsonString(),
        };
    }
}
