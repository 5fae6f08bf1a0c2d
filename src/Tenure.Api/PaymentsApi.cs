using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Engine.Lifecycle;
using Tenure.Engine.Payments;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>R7.8: <c>PUT /v1/accounts/{id}/payment-method</c>: the gateway's token and a label to show.</summary>
public sealed record SetPaymentMethod(string Token, string Label);

/// <summary>R7.8: the payment method as the account sees it: its label and <c>active</c> or <c>declinedHard</c>.</summary>
public sealed record PaymentMethodDto(string Label, string Status)
{
    public static PaymentMethodDto? From(PaymentMethod? method) =>
        method is null ? null : new(method.Label, method.Status == PaymentMethodStatus.Active ? "active" : "declinedHard");
}

/// <summary>R7.9: a payment asked of the gateway, as <c>GET /v1/payments</c> lists it.</summary>
public sealed record PaymentDto(
    string Id, Instant At, long Amount, string Currency, string Status, string? Reason, string? OrderId, string InstanceId)
{
    public static PaymentDto From(PaymentRow p) => new(p.Id, p.At, p.Amount, p.Currency, p.Status, p.Reason, p.OrderId, p.InstanceId);
}

/// <summary>The gateway's result of a pending payment: the body a charge is answered with (API.md).</summary>
public sealed record PaymentResultBody(string Status, string? Reason = null, bool? Hard = null, string? Reference = null);

/// <summary>Endpoint metadata: the route is called by the payment gateway, signed with its secret, with no API key (R7.9).</summary>
public sealed class SignedByGateway
{
    public static SignedByGateway Instance { get; } = new();

    private SignedByGateway()
    {
    }
}

/// <summary>API.md "Payment methods and the payment gateway" (R7.8–R7.11).</summary>
public static class PaymentsApi
{
    /// <summary>How old a signed result may be (its <c>Tenure-Timestamp</c>), as webhook receivers are told to check.</summary>
    private static readonly Duration MaxSkew = Duration.FromMinutes(5);

    /// <summary>
    /// The API's own JSON rules (unknown and duplicate fields refused), for the body read by hand to check its signature.
    /// </summary>
    private static readonly JsonSerializerOptions JsonOptions = CreateJsonOptions();

    public static void MapPaymentsApi(this IEndpointRouteBuilder api)
    {
        var ops = api.MapGroup("/v1").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Caller().IsOperator
                ? await next(context).ConfigureAwait(false)
                : Problems.Of(403, "forbidden", "This route needs the operator key."))
            .ProducesProblem(403);
        ops.MapPut("/accounts/{id}/payment-method", Set).Produces<AccountDto>().ProducesValidationProblem().ProducesProblem(404);
        ops.MapDelete("/accounts/{id}/payment-method", Remove).Produces<AccountDto>().ProducesProblem(404);
        api.MapGet("/v1/payments", List).Produces<Page<PaymentDto>>().ProducesValidationProblem();
        api.MapGet("/v1/payments/{id}", One).Produces<PaymentDto>().ProducesProblem(404);
    }

    /// <summary>The gateway's callback: outside the API-key group, marked <see cref="SignedByGateway"/> instead.</summary>
    public static void MapPaymentResult(this IEndpointRouteBuilder app) =>
        app.MapPost("/v1/payments/{id}/result", Result).WithMetadata(SignedByGateway.Instance)
            .Accepts<PaymentResultBody>("application/json").Produces<PaymentDto>()
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(404);

    private static Task<IResult> Set(string id, SetPaymentMethod body, HttpContext http, CommandRunner run)
    {
        if (string.IsNullOrWhiteSpace(body.Token) || body.Token.Length > 500)
            return Invalid("token", "A token is 1–500 characters, as the gateway issued it.");
        if (string.IsNullOrWhiteSpace(body.Label) || body.Label.Length > 100)
            return Invalid("label", "A label is 1–100 characters, e.g. \"Visa •••• 4242\".");
        return run.OnAccount(http, id, (session, _) =>
        {
            session.SetPaymentMethod(id, body.Token, body.Label.Trim());
            return Reply.Ok(OperatorApi.AccountView(session, id)!);
        });
    }

    private static Task<IResult> Remove(string id, HttpContext http, CommandRunner run) =>
        run.OnAccount(http, id, (session, _) =>
        {
            session.RemovePaymentMethod(id);
            return Reply.Ok(OperatorApi.AccountView(session, id)!);
        });

    private static Task<IResult> Invalid(string field, string detail) => Task.FromResult<IResult>(Problems.Invalid(field, detail));

    /// <summary>The caller's payments (the operator's: every account's, or <c>accountId</c>'s), newest first.</summary>
    private static Results<Ok<Page<PaymentDto>>, ProblemHttpResult> List(
        HttpContext http, ApiContext api, string? instanceId, string? status, string? accountId, int? limit, string? cursor)
    {
        if (PageLimit.Problem(limit) is { } tooMany) return tooMany;
        if (status is not (null or "pending" or "succeeded" or "declined" or "refunded"))
        {
            return Problems.Invalid("status", "status is pending, succeeded, declined or refunded.");
        }

        var take = limit ?? PageLimit.Default;
        var owner = http.Caller().AccountId ?? accountId;
        using var session = api.Database.BeginRead();
        var rows = session.Payments(owner, instanceId, status, cursor, take + 1);
        var items = rows.Take(take).Select(PaymentDto.From).ToList();
        return TypedResults.Ok(new Page<PaymentDto>(items, rows.Count > take ? items[^1].Id : null));
    }

    /// <summary>One payment the caller may see: where a command answered 202 sends it (R7.9).</summary>
    private static Results<Ok<PaymentDto>, ProblemHttpResult> One(string id, HttpContext http, ApiContext api)
    {
        using var session = api.Database.BeginRead();
        return session.Payment(id) is { } payment && http.Caller().Sees(payment.AccountId)
            ? TypedResults.Ok(PaymentDto.From(payment))
            : Problems.NotFound($"Payment {id}");
    }

    /// <summary>
    /// R7.9: a pending payment's result from the gateway, signed with the gateway secret. It settles through the command
    /// path (the runner's unit of work and Idempotency-Key) as the worker's polling does, so a result that arrives twice,
    /// or after the poll, settles once; the answer is the payment as it stands.
    /// </summary>
    private static async Task<IResult> Result(
        string id, HttpContext http, CommandRunner run, LifecycleEngine engine, IClock clock, PaymentOptions options)
    {
        if (CommandRunner.KeyProblem(http) is { } keyProblem) return keyProblem;
        http.Request.EnableBuffering();
        string text;
        using (var reader = new StreamReader(http.Request.Body, leaveOpen: true))
            text = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
        http.Request.Body.Position = 0;
        var timestamp = http.Request.Headers[Tenure.Engine.Delivery.Dispatcher.TimestampHeader].ToString();
        var signature = http.Request.Headers[Tenure.Engine.Delivery.Dispatcher.SignatureHeader].ToString();
        if (!PaymentGateway.Verify(options.Secret, timestamp, signature, text)
            || !long.TryParse(timestamp, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || Duration.FromSeconds(Math.Abs(clock.GetCurrentInstant().ToUnixTimeSeconds() - seconds)) > MaxSkew)
        {
            return Problems.Of(401, "unauthorized",
                "The result must be signed with the gateway secret (Tenure-Timestamp, Tenure-Signature) within 5 minutes.");
        }

        PaymentResultBody? body;
        try
        {
            body = JsonSerializer.Deserialize<PaymentResultBody>(text, JsonOptions);
        }
        catch (JsonException e)
        {
            return Problems.Invalid(e.Path is { Length: > 2 } path ? path[2..] : "body", $"The JSON body is not valid: {e.Message}");
        }

        if (body is null || new GatewayAnswer(body.Status, body.Reason, body.Hard, body.Reference).ToResult() is not { } result)
        {
            return Problems.Invalid("status", "status is succeeded, declined or pending.");
        }

        http.Items[typeof(Caller)] = Caller.Operator; // the gateway acts for the provider; its keys are its own (Principal "operator")
        return await run.Run(http, async session =>
        {
            var settled = await PaymentSettlement
                .SettleAsync(session, engine, clock.GetCurrentInstant(), id, result, body.Reference, http.RequestAborted)
                .ConfigureAwait(false);
            return settled is null ? Problems.NotFound($"Payment {id}") : Reply.Ok(PaymentDto.From(settled.Payment));
        }).ConfigureAwait(false);
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Json.Configure(options);
        return options;
    }
}
