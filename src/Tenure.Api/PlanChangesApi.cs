using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.PlanChanges;
using Tenure.Domain.Renewals;

namespace Tenure.Api;

public sealed record BatchRenewalSettings(IReadOnlyList<string> InstanceIds, RenewalMode Mode, int? AutoRenewMonths = null);

public sealed record UnifyExpiry(IReadOnlyList<string> InstanceIds, int DayOfMonth, bool QuoteOnly = false, string? QuoteId = null);

public sealed record SpecChangeRequest(string Spec, bool QuoteOnly = false, string? QuoteId = null);

public sealed record RenewDowngradeRequest(
    int PeriodMonths, string? Spec = null, Bandwidth? Bandwidth = null, IReadOnlyList<DiskChange>? DataDisks = null,
    bool QuoteOnly = false, string? QuoteId = null);

public sealed record EditionRequest(string Edition, int PeriodMonths, bool QuoteOnly = false, string? QuoteId = null);

public sealed record PostExpirationRequest(PostExpirationAction Action);

public sealed record PostReleaseRequest(PostReleaseAction Action);

public sealed record ChargeTypeRequest(ChargeType ChargeType, int? PeriodMonths = null);

/// <summary>The instances a batch setting changed, as they are now.</summary>
public sealed record InstanceList(IReadOnlyList<InstanceDto> Items);

public sealed record UnsubscribeResult(long Refund, InstanceDto Instance, string Currency)
{
    /// <summary>R7.11: what goes back to the payment method (through the gateway) rather than to the balance.</summary>
    public long RefundToPaymentMethod { get; init; }
}

/// <summary>Batch settings, unified expiry (R8.3) and the plan changes of R6 and R8.4–R8.5.</summary>
public static class PlanChangesApi
{
    public static void MapPlanChangesApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.MapPut("/renewals/settings", Settings).Produces<InstanceList>().ProducesProblem(404);
        v1.MapPost("/renewals/unify-expiry", Unify).Produces<QuoteDto>().Produces<PaymentPendingAnswer>(202).ProducesProblem(404);
        v1.MapPost("/instances/{id}/spec-change", (string id, SpecChangeRequest body, HttpContext http, CommandRunner run) =>
            Priced(id, http, run, body.QuoteOnly, body.QuoteId, (t, a) => SpecChange.Request(run.Rules, t.Instance, a, body.Spec, t.Now),
                accepted: c => c.Instance.PendingChange is { Kind: PendingChangeKind.ReviewedUpgrade }))
            .Produces<InstanceDto>().Produces<InstanceDto>(202).DocumentsQuote()
            .DocumentsPaymentPending("the instance, its paid upgrade waiting for an operator's review (R6.2)");
        v1.MapPost("/instances/{id}/upgrade/complete", (string id, HttpContext http, CommandRunner run) =>
            http.Caller().IsOperator
                ? One(id, http, run, t => SpecChange.Complete(run.Rules, t.Instance, t.Account, t.Now))
                : Problems.Of(403, "forbidden", "Completing a reviewed upgrade needs the operator key.").AsTask())
            .Produces<InstanceDto>().ProducesProblem(403);
        v1.MapPost("/instances/{id}/renew-downgrade", (string id, RenewDowngradeRequest body, HttpContext http, CommandRunner run) =>
            Priced(id, http, run, body.QuoteOnly, body.QuoteId, (t, a) => RenewDowngrade.Apply(run.Rules, t.Instance, a,
                new DowngradeRequest(body.PeriodMonths, body.Spec, body.Bandwidth, body.DataDisks ?? []), t.Now)))
            .Produces<InstanceDto>().DocumentsQuote().DocumentsPaymentPending();
        v1.MapPost("/instances/{id}/edition", (string id, EditionRequest body, HttpContext http, CommandRunner run) =>
            Priced(id, http, run, body.QuoteOnly, body.QuoteId,
                (t, a) => EditionChange.Change(run.Rules, t.Instance, a, body.Edition, body.PeriodMonths, t.Now)))
            .Produces<InstanceDto>().DocumentsQuote().DocumentsPaymentPending();
        v1.MapPost("/instances/{id}/charge-type", (string id, ChargeTypeRequest body, HttpContext http, CommandRunner run) =>
            One(id, http, run,
                t => EditionChange.ChangeChargeType(run.Rules, t.Instance, t.Account, body.ChargeType, body.PeriodMonths, t.Now)))
            .Produces<InstanceDto>().DocumentsPaymentPending();
        v1.MapPut("/instances/{id}/post-expiration-action", (string id, PostExpirationRequest body, HttpContext http, CommandRunner run) =>
            One(id, http, run, t => Unsubscription.SetPostExpirationAction(run.Rules, t.Instance, t.Account, body.Action, t.Now)))
            .Produces<InstanceDto>();
        v1.MapPut("/instances/{id}/post-release-action", (string id, PostReleaseRequest body, HttpContext http, CommandRunner run) =>
            One(id, http, run, t => Unsubscription.SetPostReleaseAction(run.Rules, t.Instance, t.Account, body.Action, t.Now)))
            .Produces<InstanceDto>();
        v1.MapPost("/instances/{id}/unsubscribe", Unsubscribe).Produces<UnsubscribeResult>();
    }

    /// <summary>A command on one instance: decide and answer with the instance (202 when it waits for review).</summary>
    private static Task<IResult> One(
        string id, HttpContext http, CommandRunner run, Func<Target, Outcome<Change>> decide, Func<Change, bool>? accepted = null) =>
        run.OnInstances(http, [id], t => Decision.Of(decide(t), w => Answer(run, id, t, w, accepted)));

    /// <summary>As <see cref="One"/> for a charging change: quoted with <c>quoteOnly</c>, checked against <c>quoteId</c> (R13.4).</summary>
    private static Task<IResult> Priced(
        string id, HttpContext http, CommandRunner run, bool quoteOnly, string? quoteId, Func<Target, Account, Outcome<Change>> decide,
        Func<Change, bool>? accepted = null) =>
        run.OnInstances(http, [id], t =>
            Quoting.Decide(t, t.Instance.Product, quoteOnly, quoteId, a => decide(t, a), w => Answer(run, id, t, w, accepted)));

    /// <summary>The instance as changed; with the order a paid change made and what each source paid of it (R7.8).</summary>
    private static Reply Answer(CommandRunner run, string id, Target t, Written w, Func<Change, bool>? accepted)
    {
        var dto = InstanceDto.From(run.Rules, w.Change.Instance, w.Change.Account, t.Now) with { Order = PaidOrderDto.Of(w) };
        return accepted?.Invoke(w.Change) == true ? Reply.Accepted($"/v1/instances/{id}", dto) : Reply.Ok(dto);
    }

    private static Task<IResult> Unsubscribe(string id, HttpContext http, CommandRunner run) =>
        run.OnInstances(http, [id], t =>
        {
            var outcome = Unsubscription.Unsubscribe(run.Rules, t.Instance, t.Account, t.Now);
            if (outcome.Refusal is { } refusal) return refusal;
            var (change, refund) = outcome.Value;
            return new Decision.Write(change, w => Reply.Ok(new UnsubscribeResult(
                refund, InstanceDto.From(run.Rules, w.Change.Instance, w.Change.Account, t.Now), t.Row.Currency)
            {
                RefundToPaymentMethod = change.Effects.MethodRefunds.Sum(r => r.Amount),
            }));
        });

    private static Task<IResult> Settings(BatchRenewalSettings body, HttpContext http, CommandRunner run) =>
        Many(body.InstanceIds) ?? run.OnInstances(http, body.InstanceIds, t => Decision.Of(
            RenewalSettings.SetBatch(run.Rules, t.Instances, t.Account, body.Mode, body.AutoRenewMonths, t.Now),
            w => Reply.Ok(new InstanceList([.. w.Change.Instances.Select(i => InstanceDto.From(run.Rules, i, w.Change.Account, t.Now))]))));

    /// <summary>R8.3: quote a unified expiry day, or apply it as one order.</summary>
    private static Task<IResult> Unify(UnifyExpiry body, HttpContext http, CommandRunner run) =>
        Many(body.InstanceIds) ?? run.OnInstances(http, body.InstanceIds, t =>
        {
            var quotes = UnifiedExpiry.Quote(run.Rules, t.Instances, body.DayOfMonth, t.Now);
            if (quotes.Refusal is { } refused) return refused;
            var items = quotes.Value
                .Select(q => new QuoteItemDto(q.InstanceId.Value, q.CurrentExpiresAt, q.NewExpiresAt, q.Amount)).ToList();
            Outcome<Change> Apply(Account account) => UnifiedExpiry.Apply(run.Rules, t.Instances, account, body.DayOfMonth, t.Now);
            var quote = QuoteDto.Of(t, items, Apply);
            if (quote.Refusal is { } unpriced) return unpriced;
            return body.QuoteOnly
                ? Reply.Ok(quote.Value)
                : Quoting.Decide(t, t.Instances[0].Product, false, body.QuoteId, Apply, _ => Reply.Ok(quote.Value));
        });

    /// <summary>A problem when the list of instance IDs is empty or too long; null when it may go on.</summary>
    private static Task<IResult>? Many(IReadOnlyList<string>? ids) =>
        ids is { Count: > 0 and <= RenewalsApi.MaxItems } ? null
            : Problems.Invalid("instanceIds", $"List 1 to {RenewalsApi.MaxItems} instance IDs.").AsTask();
}
