using System.Net;
using Microsoft.AspNetCore.Routing;

namespace Tenure.Api.Tests;

/// <summary>R13.1, R13.3: authentication on the matched route, several keys per account, revocation, console sessions.</summary>
public abstract class AuthTests(Server server)
{
    [Fact]
    public async Task R13_3_any_casing_of_v1_is_authenticated_like_v1()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var account = (await server.Client().Post("/v1/accounts", new { name = "Casing", email = "casing@example.com" })).Body;
        using var anonymous = server.Client(null);
        using var customer = server.Client(account.Str("apiKey"));
        using var op = server.Client();
        string[] paths = ["/V1/products", "/V1/accounts", "/V1/instances", "/v1/INSTANCES", "/V1/Accounts/" + account.Str("id")];
        foreach (var path in paths)
        {
            var (status, body, _) = await anonymous.Get(path);
            Assert.True(status == 401 && body.Str("code") == "unauthorized", $"{path} answered {status} without a key");
        }

        Assert.Equal(401, (await anonymous.Post("/V1/test-clocks", new { frozenTime = "2026-01-01T00:00:00Z" })).Status);
        Assert.Equal(200, (await customer.Get("/V1/products")).Status);
        Assert.Equal(200, (await customer.Get("/V1/instances")).Status);
        Assert.Equal(403, (await customer.Get("/V1/accounts")).Status);
        Assert.Equal(200, (await op.Get("/V1/accounts")).Status);
        Assert.Equal(201, (await op.Post("/V1/test-clocks", new { frozenTime = "2026-01-01T00:00:00Z" })).Status);
    }

    [Fact]
    public void R13_3_every_v1_route_needs_a_key()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var routes = server.Endpoints.OfType<RouteEndpoint>()
            .Where(e => ("/" + e.RoutePattern.RawText!.TrimStart('/')).StartsWith("/v1", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.NotEmpty(routes);
        // R7.9: the gateway's result callback is signed with the gateway secret instead of carrying a key.
        Assert.All(routes, e => Assert.True(
            e.Metadata.GetMetadata<RequiresApiKey>() is not null || e.Metadata.GetMetadata<SignedByGateway>() is not null,
            $"{e.RoutePattern.RawText} is open"));
        Assert.DoesNotContain(server.Endpoints.OfType<RouteEndpoint>(),
            e => e.RoutePattern.RawText is "/healthz" or "/readyz" && e.Metadata.GetMetadata<RequiresApiKey>() is not null);
    }

    [Fact]
    public async Task R13_3_the_operator_creates_lists_and_revokes_keys_and_a_revoked_key_is_401_on_its_next_request()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        using var op = server.Client();
        var account = (await op.Post("/v1/accounts", new { name = "Keys", email = "keys@example.com" })).Body;
        var id = account.Str("id");
        using var first = server.Client(account.Str("apiKey"));
        Assert.Equal(200, (await first.Get("/v1/account")).Status);

        var (status, created, response) = await op.Post($"/v1/accounts/{id}/keys");
        Assert.Equal(201, status);
        Assert.Equal($"/v1/accounts/{id}/keys", response.Headers.Location?.OriginalString);
        var secondKey = created.Str("apiKey");
        var secondId = created.Str("id");
        Assert.NotNull(created!["createdAt"]);
        using var second = server.Client(secondKey);
        Assert.Equal(id, (await second.Get("/v1/account")).Body.Str("id"));

        var listed = (await op.Get($"/v1/accounts/{id}/keys")).Body!["items"]!.AsArray();
        Assert.Equal(2, listed.Count);
        var secondListed = listed.Single(k => k!["id"]!.ToString() == secondId)!;
        Assert.Equal(secondKey.Split('_')[1], secondListed["prefix"]!.ToString());
        Assert.NotNull(secondListed["lastUsedAt"]);
        Assert.Null(secondListed["revokedAt"]);
        Assert.DoesNotContain(secondKey, listed.ToJsonString(), StringComparison.Ordinal);

        var revoked = await op.Send(HttpMethod.Delete, $"/v1/accounts/{id}/keys/{secondId}");
        Assert.Equal(200, revoked.Status);
        Assert.NotNull(revoked.Body!["revokedAt"]);
        var (afterStatus, afterBody, _) = await second.Get("/v1/account");
        Assert.Equal((401, "unauthorized"), (afterStatus, afterBody.Str("code")));
        Assert.Equal(401, (await second.Send(HttpMethod.Put, "/v1/account/contacts", new { email = "x@example.com" })).Status);
        Assert.Equal(200, (await first.Get("/v1/account")).Status);

        // Revoking again keeps the first time; an unknown key or account is 404; an account key may not manage keys.
        var again = await op.Send(HttpMethod.Delete, $"/v1/accounts/{id}/keys/{secondId}");
        Assert.Equal(revoked.Body.Str("revokedAt"), again.Body.Str("revokedAt"));
        Assert.Equal(404, (await op.Send(HttpMethod.Delete, $"/v1/accounts/{id}/keys/key-000000000000")).Status);
        Assert.Equal(404, (await op.Get("/v1/accounts/acc-none/keys")).Status);
        Assert.Equal(404, (await op.Post("/v1/accounts/acc-none/keys")).Status);
        Assert.Equal(403, (await first.Post($"/v1/accounts/{id}/keys")).Status);
        Assert.Equal(403, (await first.Get($"/v1/accounts/{id}/keys")).Status);
    }

    [Fact]
    public async Task R13_3_the_console_cookie_refers_to_a_session_that_revocation_expiry_and_sign_out_everywhere_end()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        using var op = server.Client();
        var account = (await op.Post("/v1/accounts", new { name = "Sessions", email = "sessions@example.com" })).Body;
        var key = account.Str("apiKey");
        var (home, laptop) = (await Browser(key), await Browser(key));
        Assert.Equal(HttpStatusCode.OK, await Status(home, "/console/account"));
        Assert.Equal(HttpStatusCode.OK, await Status(laptop, "/console/account"));

        // The cookie carries a session token, not the key: the key's text appears nowhere in it.
        var cookie = home.Cookies.GetCookies(new Uri(server.BaseAddress, "/console/")).Single(c => c.Name == "tenure_console").Value;
        Assert.DoesNotContain(key.Split('_')[2], cookie, StringComparison.Ordinal);

        var signOut = new Uri("/console/sign-out-everywhere", UriKind.Relative);
        using (var everywhere = await home.Client.PostAsync(signOut, new FormUrlEncodedContent([]), TestContext.Current.CancellationToken))
        {
            Assert.Equal("/console/sign-in", everywhere.Headers.Location?.OriginalString);
        }

        Assert.Equal(HttpStatusCode.Redirect, await Status(laptop, "/console/account"));
        Assert.Equal(200, (await server.Client(key).Get("/v1/account")).Status); // the key itself still works

        // Revoking the key ends the sessions made from it.
        var created = (await op.Post($"/v1/accounts/{account.Str("id")}/keys")).Body;
        var tablet = await Browser(created.Str("apiKey"));
        Assert.Equal(HttpStatusCode.OK, await Status(tablet, "/console/account"));
        await op.Send(HttpMethod.Delete, $"/v1/accounts/{account.Str("id")}/keys/{created.Str("id")}");
        Assert.Equal(HttpStatusCode.Redirect, await Status(tablet, "/console/account"));

        // A session expires (12 hours by default).
        var phone = await Browser(key);
        Assert.Equal(HttpStatusCode.OK, await Status(phone, "/console/account"));
        server.Clock.Advance(NodaTime.Duration.FromHours(13));
        Assert.Equal(HttpStatusCode.Redirect, await Status(phone, "/console/account"));
    }

    [Fact]
    public async Task R13_3_an_ended_console_session_replayed_uses_up_its_senders_budget_not_the_consoles()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var account = await server.Client().Post("/v1/accounts", new { name = "Replay", email = "replay@example.com" });
        var key = account.Body.Str("apiKey");
        var ended = await Browser(key);
        var cookie = ended.Cookies.GetCookies(new Uri(server.BaseAddress, "/console/")).Single(c => c.Name == "tenure_console").Value;
        var signOut = new Uri("/console/sign-out", UriKind.Relative);
        using (await ended.Client.PostAsync(signOut, new FormUrlEncodedContent([]), TestContext.Current.CancellationToken))
        {
        }

        using var replayer = server.ClientFrom("127.0.0.6", key: null);
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/console/account");
            request.Headers.Add("Cookie", $"tenure_console={cookie}");
            using var response = await replayer.SendAsync(request, TestContext.Current.CancellationToken);
            answers.Add(response.StatusCode);
        }

        // The default budget is 20 failures; the replays count against their sender, and the console goes on.
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Redirect, 20), answers.Take(20));
        Assert.Contains(HttpStatusCode.TooManyRequests, answers.Skip(20));
        Assert.Equal(HttpStatusCode.OK, await Status(await Browser(key), "/console/account"));
    }

    private async Task<(HttpClient Client, CookieContainer Cookies)> Browser(string key)
    {
        var cookies = new CookieContainer();
        var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        var client = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        using var form = new FormUrlEncodedContent([new("key", key)]);
        var signInPath = new Uri("/console/sign-in", UriKind.Relative);
        using var signIn = await client.PostAsync(signInPath, form, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return (client, cookies);
    }

    private static async Task<HttpStatusCode> Status((HttpClient Client, CookieContainer Cookies) browser, string path)
    {
        using var response = await browser.Client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}

public sealed class SqliteAuthTests(Server server) : AuthTests(server), IClassFixture<Server>;

public sealed class PostgresAuthTests(PostgresServer server) : AuthTests(server), IClassFixture<PostgresServer>;
