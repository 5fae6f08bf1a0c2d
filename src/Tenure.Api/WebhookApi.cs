using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NodaTime;
using Tenure.Engine.Delivery;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>How a delivery is shown: a pending one that has failed before is <c>failed</c> (it will be retried).</summary>
public static class DeliveryStatusName
{
    public static string Of(DeliveryStatus status, string? lastError) =>
        status == DeliveryStatus.Pending && lastError is not null ? "failed" : status.ToString().ToLowerInvariant();
}

/// <summary>
/// R9.7: one channel's outcome for a notice: when it was last tried or delivered, and the receiver's status or why it failed.
/// </summary>
public sealed record NoticeDeliveryDto(string Channel, string Status, Instant? At, string? Detail)
{
    public static NoticeDeliveryDto From(NoticeDelivery d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(OutboxChannels.Of(d.Channel), DeliveryStatusName.Of(d.Status, d.LastError), d.LastAttemptAt ?? d.DeliveredAt,
            d.LastError ?? (d.LastStatus is { } code ? $"HTTP {code}" : null));
    }
}

/// <summary>R10.2: a delivery to the account's webhook; <c>nextAttemptAt</c> only while it is still to be tried.</summary>
public sealed record WebhookDeliveryDto(
    long Id, Instant At, string Kind, string Status, int Attempts, int? LastStatus, string? LastError, Instant? NextAttemptAt)
{
    public static WebhookDeliveryDto From(WebhookDelivery d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(d.Id, d.At, d.Kind, DeliveryStatusName.Of(d.Status, d.LastError), d.Attempts, d.LastStatus, d.LastError,
            d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null);
    }
}

/// <summary>API.md "Webhooks and keys": the account's webhook deliveries and a test delivery (R10.2).</summary>
public static class WebhookApi
{
    public static void MapWebhookApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.MapGet("/account/webhook/deliveries", Deliveries).Produces<Page<WebhookDeliveryDto>>();
        v1.MapPost("/account/webhook/test", Test).Produces<WebhookDeliveryDto>();
    }

    /// <summary>The caller's webhook deliveries, oldest first, paged by <c>limit</c> and <c>cursor</c>.</summary>
    private static IResult Deliveries(HttpContext http, ApiContext api, int? limit, long? cursor)
    {
        if (http.Caller().AccountId is not { } id) return Problems.Invalid("key", "This route needs an account key.");
        if (limit is < 1 or > 500) return Problems.Invalid("limit", "limit must be between 1 and 500.");
        var take = limit ?? 50;
        using var session = api.Database.BeginRead();
        var rows = session.WebhookDeliveries(id, cursor ?? 0, take + 1);
        var items = rows.Take(take).Select(WebhookDeliveryDto.From).ToList();
        var next = rows.Count > take ? items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<WebhookDeliveryDto>(items, next));
    }

    /// <summary>
    /// Sends a <c>ping</c> to the caller's webhook now and answers with its outcome. The HTTP call is made first,
    /// outside any transaction (a receiver's 10 s must not hold the writer); the command then keeps the ping among the
    /// deliveries and stores the answer for the Idempotency-Key. A retry with the same key may ping again (receivers
    /// deduplicate by the ping's Idempotency-Key header, derived from it) and is answered with the first outcome.
    /// </summary>
    private static async Task<IResult> Test(HttpContext http, ApiContext api, CommandRunner run, Dispatcher dispatcher)
    {
        if (http.Caller().AccountId is not { } id) return Problems.Invalid("key", "This route needs an account key.");
        if (CommandRunner.KeyProblem(http) is { } keyProblem) return keyProblem;
        AccountRow? account;
        using (var session = api.Database.BeginRead()) account = session.AccountRow(id);
        if (account is null) return Problems.NotFound($"Account {id}");
        if (account.WebhookUrl is not { Length: > 0 })
        {
            return Problems.Of(409, "invalid-state", "The account has no webhook: set one with PUT /v1/account/webhook first.");
        }

        var key = http.Request.Headers["Idempotency-Key"].ToString();
        var now = api.Clock.GetCurrentInstant();
        var payload = OutboxPayload.Ping(id, now, $"ping:{id}:{(key.Length > 0 ? key : Guid.NewGuid().ToString("N"))}");
        var attempt = await dispatcher.AttemptAsync(ClaimedDelivery.Ping(account, payload), http.RequestAborted).ConfigureAwait(false);
        var status = attempt.Error is null ? DeliveryStatus.Delivered : DeliveryStatus.Failed;
        return await run.OnAccount(http, id, (session, _) =>
                Reply.Ok(WebhookDeliveryDto.From(session.SavePing(id, payload, now, status, attempt.HttpStatus, attempt.Error))))
            .ConfigureAwait(false);
    }
}
