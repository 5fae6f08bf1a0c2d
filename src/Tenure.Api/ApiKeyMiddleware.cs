using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Tenure.Api;

/// <summary>Endpoint metadata: the route needs an API key. Every route under /v1 carries it (TenureApi maps them in one group).</summary>
public sealed class RequiresApiKey
{
    public static RequiresApiKey Instance { get; } = new();

    private RequiresApiKey()
    {
    }
}

/// <summary>
/// Authentication, decided on the endpoint routing matched (not on the path's text, whose casing
/// routing ignores): a route marked <see cref="RequiresApiKey"/> answers 401 without a valid key.
/// </summary>
public static class ApiKeyMiddleware
{
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresApiKey>() is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var key = ApiKeys.Bearer(context.Request.Headers.Authorization.ToString());
        var found = await context.RequestServices.GetRequiredService<Authenticator>()
            .AuthenticateAsync(ClientAddress(context), key, context.RequestAborted).ConfigureAwait(false);
        if (found.Throttled)
        {
            context.Response.Headers.RetryAfter = "60";
            await Problems.Of(429, "rate-limited", "Too many failed sign-ins from this address; retry in a minute.")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (found.Caller is not { } caller)
        {
            var detail = key is null ? "Send an API key: Authorization: Bearer <key>." : "That API key is not valid.";
            await Problems.Of(401, "unauthorized", detail).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Items[typeof(Caller)] = caller;
        await next(context).ConfigureAwait(false);
    });

    /// <summary>The address unauthenticated requests are limited per: the connection's peer (no proxy header is trusted).</summary>
    public static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
