using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Tenure.Domain;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.PlanChanges;
using Tenure.Domain.Renewals;

namespace Tenure.Api;

public sealed record BatchRenewalSettings(IReadOnlyList<string> InstanceIds, RenewalMode Mode, int? AutoRenewMonths = null);

public sealed record UnifyExpiry(IReadOnlyList<string> InstanceIds, int DayOfMonth, bool QuoteOnly = false);

public sealed record SpecChangeRequest(string Spec);

public sealed record RenewDowngradeRequest(int PeriodMonths, string? Spec = null, Bandwidth? Bandwidth = null, IReadOnlyList<DiskChange>? DataDisks = null);

public sealed record EditionRequest(string Edition, int PeriodMonths);

public sealed record PostExpirationRequest(PostExpirationAction Action);

public sealed record PostReleaseRequest(PostReleaseAction Action);

public sealed record ChargeTypeRequest(ChargeType ChargeType, int? PeriodMonths = null);

public sealed record UnsubscribeResult(long Refund, InstanceDto Instance, string Currency);

/// <summary>Batch settings, unified expiry (R8.3) and the plan changes of R6 and R8.4–R8.5.</summary>
public static class PlanChangesApi
{
    public static void MapPlanChangesApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.MapPut("/renewals/settings", Settings);
        v1.MapPost("/renewals/unify-expiry", Unify);
        v1.MapPost("/instances/{id}/spec-change", (string id, SpecChangeRequest body, HttpContext http, ApiContext api) =>
            One(id, http, api, (i, s) => SpecChange.Request(api.Rules, i, s.Account, body.Spec, s.Now), accepted: c => c.Instance.PendingChange is { Kind: PendingChangeKind.ReviewedUpgrade }));
        v1.MapPost("/instances/{id}/upgrade/complete", (string id, HttpContext http, ApiContext api) =>
            http.Caller().IsOperator
                ? One(id, http, api, (i, s) => SpecChange.Complete(api.Rules, i, s.Account, s.Now))
                : Problems.Of(403, "forbidden", "Completing a reviewed upgrade needs the operator key."));
        v1.MapPost("/instances/{id}/renew-downgrade", (string id, RenewDowngradeRequest body, HttpContext http, ApiContext api) =>
            One(id, http, api, (i, s) => RenewDowngrade.Apply(api.Rules, i, s.Account,
                new DowngradeRequest(body.PeriodMonths, body.Spec, body.Bandwidth, body.DataDisks ?? []), s.Now)));
        v1.MapPost("/instances/{id}/edition", (string id, EditionRequest body, HttpContext http, ApiContext api) =>
            One(id, http, api, (i, s) => EditionChange.Change(api.Rules, i, s.Account, body.Edition, body.PeriodMonths, s.Now)));
        v1.MapPost("/instances/{id}/charge-type", (string id, ChargeTypeRequest body, HttpContext http, ApiContext api) =>
            One(id, http, api, (i, s) => EditionChange.ChangeChargeType(api.Rules, i, s.Account, body.ChargeType, body.PeriodMonths, s.Now)));
        v1.MapPut("/instances/{id}/post-expiration-action", (string id, PostExpirationRequest body, HttpContext http, ApiContext api) =>
            One(id, http, api, (i, s) => Unsubscription.SetPostExpirationAction(api.Rules, i, s.Account, body.Action, s.Now)));
        v1.MapPut("/instances/{id}/post-release-action", (string id, PostReleaseRequest body, HttpContext http, ApiContext api) =>
            One(id, http, api, (i, s) => Unsubscription.SetPostReleaseAction(api.Rules, i, s.Account, body.Action, s.Now)));
        v1.MapPost("/instances/{id}/unsubscribe", Unsubscribe);
    }

    /// <summary>A command on one instance: load it (404 when foreign), decide, write, answer with the instance (202 when it waits for review).</summary>
    private static IResult One(string id, HttpContext http, ApiContext api, Func<Instance, Scope, Outcome<Change>> decide, Func<Change, bool>? accepted = null)
    {
        using var session = api.Database.Begin();
        if (api.Instance(session, http.Caller(), id) is not var (instance, scope)) return Problems.NotFound($"Instance {id}");
        var outcome = decide(instance, scope);
        if (outcome.Refusal is { } refusal) return Problems.From(refusal);
        api.Commit(session, scope, outcome.Value);
        var dto = InstanceDto.From(api.Rules, outcome.Value.Instance, outcome.Value.Account, scope.Now);
        return accepted?.Invoke(outcome.Value) == true ? TypedResults.Accepted($"/v1/instances/{id}", dto) : TypedResults.Ok(dto);
    }

    private static Results<Ok<UnsubscribeResult>, ProblemHttpResult> Unsubscribe(string id, HttpContext http, ApiContext api)
    {
        using var session = api.Database.Begin();
        if (api.Instance(session, http.Caller(), id) is not var (instance, scope)) return Problems.NotFound($"Instance {id}");
        var outcome = Unsubscription.Unsubscribe(api.Rules, instance, scope.Account, scope.Now);
        if (outcome.Refusal is { } refusal) return Problems.From(refusal);
        var (change, refund) = outcome.Value;
        api.Commit(session, scope, change);
        return TypedResults.Ok(new UnsubscribeResult(refund, InstanceDto.From(api.Rules, change.Instance, change.Account, scope.Now), scope.Row.Currency));
    }

    /// <summary>Loads several instances of one account; a problem when any is missing or foreign, or they span accounts.</summary>
    private static (List<Instance>? Instances, Scope? Scope, ProblemHttpResult? Problem) Many(Storage.Session session, HttpContext http, ApiContext api, IReadOnlyList<string>? ids)
    {
        if (ids is not { Count: > 0 and <= 500 }) return (null, null, Problems.Invalid("instanceIds", "List 1 to 500 instance IDs."));
        var instances = new List<Instance>();
        Scope? scope = null;
        foreach (var id in ids.Distinct().Order(StringComparer.Ordinal)) session.Instance(id, forUpdate: true); // lock in ID order, before any account
        foreach (var id in ids)
        {
            if (api.Instance(session, http.Caller(), id) is not var (instance, owner)) return (null, null, Problems.NotFound($"Instance {id}"));
            if (scope is not null && scope.Row.Id != owner.Row.Id) return (null, null, Problems.Invalid("instanceIds", "The instances must belong to one account."));
            scope = owner;
            instances.Add(instance);
        }

        return (instances, scope, null);
    }

    private static IResult Settings(BatchRenewalSettings body, HttpContext http, ApiContext api)
    {
        using var session = api.Database.Begin();
        var (instances, scope, problem) = Many(session, http, api, body.InstanceIds);
        if (problem is not null) return problem;
        var set = RenewalSettings.SetBatch(api.Rules, instances!, scope!.Account, body.Mode, body.AutoRenewMonths, scope.Now);
        if (set.Refusal is { } refusal) return Problems.From(refusal);
        api.Commit(session, scope, set.Value);
        return TypedResults.Ok(new { items = set.Value.Instances.Select(i => InstanceDto.From(api.Rules, i, set.Value.Account, scope.Now)) });
    }

    private static IResult Unify(UnifyExpiry body, HttpContext http, ApiContext api)
    {
        using var session = api.Database.Begin();
        var (instances, scope, problem) = Many(session, http, api, body.InstanceIds);
        if (problem is not null) return problem;
        var quotes = UnifiedExpiry.Quote(api.Rules, instances!, body.DayOfMonth, scope!.Now);
        if (quotes.Refusal is { } refused) return Problems.From(refused);
        var items = quotes.Value.Select(q => new QuoteItemDto(q.InstanceId.Value, q.CurrentExpiresAt, q.NewExpiresAt, q.Amount)).ToList();
        if (body.QuoteOnly) return TypedResults.Ok(new QuoteDto(items, items.Sum(i => i.Amount), scope.Row.Currency));
        var applied = UnifiedExpiry.Apply(api.Rules, instances!, scope.Account, body.DayOfMonth, scope.Now);
        if (applied.Refusal is { } refusal) return Problems.From(refusal);
        api.Commit(session, scope, applied.Value);
        return TypedResults.Ok(new QuoteDto(items, items.Sum(i => i.Amount), scope.Row.Currency));
    }
}
