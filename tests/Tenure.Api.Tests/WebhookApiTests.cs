using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Tenure.Engine.Delivery;

namespace Tenure.Api.Tests;

/// <summary>A real webhook receiver on loopback answering 200, keeping each request's body and signature.</summary>
internal sealed class HookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public HookReceiver()
    {
        Url = $"http://127.0.0.1:{FreePort()}/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<(string Body, string? Timestamp, string? Signature)> Requests { get; } = new();

    /// <summary>A loopback port nothing listens on (for a receiver that refuses connections).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        // Close alone: Close after Stop binds the port again to remove the prefix, and fails when another test took it meanwhile.
        _listener.Close();
        _ = _loop.Exception;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers;
            Requests.Enqueue((body, headers[Dispatcher.TimestampHeader], headers[Dispatcher.SignatureHeader]));
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }
}

/// <summary>A server whose operator allows webhooks into private networks, so loopback receivers can be reached.</summary>
public sealed class PrivateNetworkServer : Server
{
    protected override ApiOptions Configure(ApiOptions options) =>
        options with { Delivery = new DispatcherOptions { AllowPrivateNetworks = true } };
}

/// <summary>The same on PostgreSQL.</summary>
public sealed class PrivateNetworkPostgresServer(Tenure.Storage.Tests.PostgresCluster cluster) : PostgresServer(cluster)
{
    protected override ApiOptions Configure(ApiOptions options) =>
        options with { Delivery = new DispatcherOptions { AllowPrivateNetworks = true } };
}

/// <summary>R10.2: account webhook URLs must be public, checked when set and at each delivery (the default server).</summary>
public sealed class WebhookAddressTests(Server server) : IClassFixture<Server>
{
    private async Task<(HttpClient Client, string AccountId)> Customer()
    {
        using var op = server.Client();
        var account = await op.Post("/v1/accounts", new { name = "Hooks", email = "h@example.com" });
        Assert.Equal(201, account.Status);
        return (server.Client(account.Body.Str("apiKey")), account.Body.Str("id"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    [InlineData("http://[::ffff:10.0.0.1]/hook")]
    [InlineData("http://10.0.0.1/hook")]
    [InlineData("http://172.16.5.4/hook")]
    [InlineData("http://192.168.0.10/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://100.64.0.1/hook")]
    [InlineData("http://224.0.0.1/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("http://[::]/hook")]
    [InlineData("http://[fc00::1]/hook")]
    [InlineData("http://[fe80::1]/hook")]
    [InlineData("http://localhost:5080/hook")]
    public async Task R10_2_PUT_webhook_refuses_a_non_public_address_and_changes_nothing(string url)
    {
        var (client, accountId) = await Customer();
        var refused = await client.Send(HttpMethod.Put, "/v1/account/webhook", new { url, secret = "0123456789abcdef" });

        Assert.Equal((400, "validation"), (refused.Status, refused.Body.Str("code")));
        Assert.NotNull(refused.Body!["errors"]?["url"]);
        Assert.Equal("application/problem+json", refused.Response.Content.Headers.ContentType?.MediaType);
        using var session = server.Db.BeginRead();
        Assert.Null(session.AccountRow(accountId)!.WebhookUrl);
    }

    [Fact]
    public async Task R10_2_a_stored_loopback_webhook_is_refused_when_the_test_ping_is_delivered()
    {
        using var receiver = new HookReceiver();
        var (client, accountId) = await Customer();
        using (var session = server.Db.Begin())
        {
            // As if set before the check existed: the delivery-time check must still refuse it.
            session.SetWebhook(accountId, receiver.Url, "0123456789abcdef", server.Clock.GetCurrentInstant());
            session.Commit();
        }

        var test = await client.Post("/v1/account/webhook/test");

        Assert.Equal((200, "failed"), (test.Status, test.Body.Str("status")));
        Assert.Contains("loopback address", test.Body.Str("lastError"), StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task R10_2_webhook_test_without_a_webhook_is_409_and_keeps_nothing()
    {
        var (client, _) = await Customer();
        var test = await client.Post("/v1/account/webhook/test");
        Assert.Equal((409, "invalid-state"), (test.Status, test.Body.Str("code")));
        Assert.Empty((await client.Get("/v1/account/webhook/deliveries")).Body!["items"]!.AsArray());
    }
}

/// <summary>R10.2 routes and R9.7 proof of notice, against loopback receivers the operator allows.</summary>
public abstract class WebhookApiTests(Server server)
{
    private async Task<(HttpClient Client, string AccountId, string ClockId)> Customer(string frozenUtc, long balance)
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        using var op = server.Client();
        var clock = (await op.Post("/v1/test-clocks", new { frozenTime = frozenUtc })).Body.Str("id");
        var account = await op.Post("/v1/accounts", new { name = "Hooks", email = "h@example.com", testClockId = clock });
        Assert.Equal(201, account.Status);
        var accountId = account.Body.Str("id");
        if (balance > 0) Assert.Equal(201, (await op.Post($"/v1/accounts/{accountId}/top-ups", new { amount = balance })).Status);
        return (server.Client(account.Body.Str("apiKey")), accountId, clock);
    }

    private static async Task<int> SetHook(HttpClient client, string url, string secret) =>
        (await client.Send(HttpMethod.Put, "/v1/account/webhook", new { url, secret })).Status;

    [Fact]
    public async Task R10_2_webhook_test_pings_answers_with_its_outcome_and_lists_it_among_the_deliveries()
    {
        using var receiver = new HookReceiver();
        var (client, _, _) = await Customer("2026-01-01T00:00:00Z", 0);
        Assert.Equal(200, await SetHook(client, receiver.Url, "0123456789abcdef"));

        var ok = await client.Post("/v1/account/webhook/test");
        Assert.Equal(200, ok.Status);
        Assert.Equal(("ping", "delivered", "200", "1"),
            (ok.Body.Str("kind"), ok.Body.Str("status"), ok.Body.Str("lastStatus"), ok.Body.Str("attempts")));
        var ping = Assert.Single(receiver.Requests);
        Assert.Equal(Dispatcher.Sign("0123456789abcdef", ping.Timestamp!, ping.Body), ping.Signature);
        Assert.Contains("\"kind\":\"ping\"", ping.Body, StringComparison.Ordinal);

        var closed = $"http://127.0.0.1:{HookReceiver.FreePort()}/hook";
        Assert.Equal(200, await SetHook(client, closed, "0123456789abcdef"));
        var failed = await client.Post("/v1/account/webhook/test");
        Assert.Equal((200, "failed"), (failed.Status, failed.Body.Str("status")));
        Assert.NotNull(failed.Body!["lastError"]?.ToString());

        var page = await client.Get("/v1/account/webhook/deliveries?limit=1");
        var first = Assert.Single(page.Body!["items"]!.AsArray());
        Assert.Equal((ok.Body.Str("id"), "delivered"), (first.Str("id"), first.Str("status")));
        Assert.Null(first!["nextAttemptAt"]);
        var second = await client.Get($"/v1/account/webhook/deliveries?cursor={page.Body.Str("nextCursor")}");
        Assert.Equal([failed.Body.Str("id")], second.Body!["items"]!.AsArray().Select(i => i.Str("id")));
    }

    [Fact]
    public async Task R10_2_a_new_secret_set_with_PUT_webhook_signs_beside_the_old_one()
    {
        using var receiver = new HookReceiver();
        var (client, _, _) = await Customer("2026-01-01T00:00:00Z", 0);
        Assert.Equal(200, await SetHook(client, receiver.Url, "old-secret-0123456"));
        Assert.Equal(200, await SetHook(client, receiver.Url, "new-secret-0123456"));

        Assert.Equal("delivered", (await client.Post("/v1/account/webhook/test")).Body.Str("status"));

        var ping = Assert.Single(receiver.Requests);
        Assert.Equal(
            Dispatcher.Sign("new-secret-0123456", ping.Timestamp!, ping.Body) + "," +
            Dispatcher.Sign("old-secret-0123456", ping.Timestamp!, ping.Body),
            ping.Signature);
    }

    [Fact]
    public async Task R9_7_notifications_show_each_channels_outcome()
    {
        using var receiver = new HookReceiver();
        var (client, _, clockId) = await Customer("2019-03-01T02:00:00Z", 100_000);
        Assert.Equal(200, await SetHook(client, receiver.Url, "0123456789abcdef"));
        var bought = await client.Post("/v1/instances",
            new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1 });
        Assert.Equal(201, bought.Status);
        using var op = server.Client();
        Assert.Equal(200, (await op.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-03-26T00:00:00Z" })).Status);

        var pending = (await client.Get("/v1/notifications")).Body!["items"]!.AsArray();
        Assert.NotEmpty(pending);
        Assert.All(pending, n => Assert.All(n!["deliveries"]!.AsArray(), d => Assert.Equal("pending", d.Str("status"))));

        using var dispatcher = new Dispatcher(server.Db, server.Clock, new DispatcherOptions { AllowPrivateNetworks = true });
        await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken);

        var notice = (await client.Get("/v1/notifications")).Body!["items"]!.AsArray()[0]!;
        Assert.Equal("[\"email\",\"webhook\"]", notice["channels"]!.ToJsonString());
        var byChannel = notice["deliveries"]!.AsArray().ToDictionary(d => d.Str("channel"), d => d!);
        Assert.Equal(("skipped", "no SMTP server is configured"), (byChannel["email"].Str("status"), byChannel["email"].Str("detail")));
        Assert.Equal(("delivered", "HTTP 200"), (byChannel["webhook"].Str("status"), byChannel["webhook"].Str("detail")));
        Assert.Equal(server.Clock.GetCurrentInstant().ToString(), byChannel["webhook"].Str("at"));
        Assert.NotEmpty(receiver.Requests);
    }
}

public sealed class SqliteWebhookApiTests(PrivateNetworkServer server) : WebhookApiTests(server), IClassFixture<PrivateNetworkServer>;

public sealed class PostgresWebhookApiTests(PrivateNetworkPostgresServer server)
    : WebhookApiTests(server), IClassFixture<PrivateNetworkPostgresServer>;
