using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Purchases;
using Tenure.Domain.Renewals;
using Tenure.Storage;

namespace Tenure.Api;

public sealed record BuyInstance(
    string Product, string Region, string Spec, ChargeType ChargeType, string? Edition = null, int? PeriodMonths = null,
    bool AutoRenew = false, Components? Components = null, string? AccountId = null, bool QuoteOnly = false, string? QuoteId = null);

public sealed record RenewInstance(int PeriodMonths, bool QuoteOnly = false, string? QuoteId = null);

public sealed record RenewResult(
    string OrderId, InstanceDto Instance, long Amount, long PaidByCoupons, long PaidByBalance, Instant NewExpiresAt, string Currency)
{
    public static RenewResult From(Rules rules, Written written, Target target)
    {
        var order = written.Change.Effects.Order!;
        var instance = written.Change.Instance;
        return new RenewResult(
            written.OrderId!, InstanceDto.From(rules, instance, written.Change.Account, target.Now), order.Total, order.PaidByCoupons,
            order.PaidByBalance, instance.Expiry, target.Row.Currency) { PaidByPaymentMethod = order.PaidByMethod };
    }

    /// <summary>R7.8: what the payment method paid of <see cref="Amount"/>.</summary>
    public long PaidByPaymentMethod { get; init; }
}

public sealed record SetRenewal(RenewalMode Mode, int? AutoRenewMonths = null);

public sealed record EventDto(Instant At, string Kind, string Detail);

public sealed record PlannedEventDto(string Kind, Instant At);

/// <summary>The events ahead of an instance as of <c>now</c> (its account's clock), if nothing changes.</summary>
public sealed record ScheduleDto(Instant Now, IReadOnlyList<PlannedEventDto> Items);

public sealed record NoticeDto(
    long Id, Instant At, string Kind, string? InstanceId, string Subject, IReadOnlyList<string> Channels,
    IReadOnlyList<NoticeDeliveryDto> Deliveries)
{
    /// <summary>R8.8: the order the notice is about (a renewal's), when its decision made one.</summary>
    public string? OrderId { get; init; }
}

/// <summary>
/// Account routes on instances: purchase, read, list (the renewal list), timeline, renew, renewal mode; the account and its
/// notices.
/// </summary>
public static class InstancesApi
{
    public static void MapInstancesApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.MapGet("/account", GetOwnAccount);
        v1.MapPost("/instances", Buy).Produces<InstanceDto>(201).Produces<PaymentPendingAnswer>(202).ProducesProblem(404)
            .DocumentsQuote();
        v1.MapGet("/instances", List).Produces<Page<InstanceDto>>().AddOpenApiOperationTransformer((operation, _, _) =>
        {
            // R8.6: Accept: text/csv answers the same 200 as a CSV export (one Produces per status, so added here).
            if (operation.Responses?["200"] is OpenApiResponse ok)
            {
                ok.Content?.Add("text/csv", new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
            }

            return Task.CompletedTask;
        });
        v1.MapGet("/instances/{id}", Get);
        v1.MapGet("/renewals/counts", RenewalCounts).Produces<RenewalCountsDto>();
        v1.MapGet("/instances/{id}/events", Events);
        v1.MapGet("/instances/{id}/schedule", PlannedEvents);
        v1.MapPost("/instances/{id}/renew", Renew).Produces<RenewResult>().Produces<PaymentPendingAnswer>(202).DocumentsQuote();
        v1.MapPut("/instances/{id}/renewal", SetMode).Produces<InstanceDto>();
        v1.MapGet("/notifications", Notifications);
    }

    private static Results<Ok<AccountDto>, ProblemHttpResult> GetOwnAccount(HttpContext http, ApiContext api)
    {
        if (http.Caller().AccountId is not { } id)
            return Problems.Invalid("key", "GET /v1/account needs an account key; operators use GET /v1/accounts/{id}.");
        using var session = api.Database.BeginRead();
        return OperatorApi.AccountView(session, id) is { } dto ? TypedResults.Ok(dto) : Problems.NotFound($"Account {id}");
    }

    private static Task<IResult> Buy(BuyInstance body, HttpContext http, CommandRunner run)
    {
        var accountId = http.Caller().AccountId ?? body.AccountId;
        if (accountId is null) return Problems.Invalid("accountId", "With the operator key, say which account buys: accountId.").AsTask();
        if (body.PeriodMonths is < 1 or > 120) return Problems.Invalid("periodMonths", "periodMonths must be between 1 and 120.").AsTask();
        var request = new PurchaseRequest(
            new InstanceId(Session.NewId("i")), body.Product, body.Region, body.Edition, body.Spec, body.ChargeType, body.PeriodMonths,
            body.AutoRenew, body.Components);
        return run.OnAccount(http, accountId, t => Quoting.Decide(t, body.Product, body.QuoteOnly, body.QuoteId,
            a => Purchase.Buy(run.Rules, a, request, t.Now),
            w => Reply.Created($"/v1/instances/{request.Id}", InstanceDto.From(run.Rules, w.Change.Instance, w.Change.Account, t.Now)
                with { Order = PaidOrderDto.Of(w) })));
    }

    private static Results<Ok<InstanceDto>, ProblemHttpResult> Get(string id, HttpContext http, ApiContext api)
    {
        using var session = api.Database.BeginRead();
        if (api.Instance(session, http.Caller(), id) is not var (instance, scope))
        {
            // R2: a purchase whose payment is pending creates its instance only once the payment succeeded.
            return session.PendingPurchase(id) is { } paying && http.Caller().Sees(paying.AccountId)
                ? Problems.Of(404, "not-found", $"Instance {id} awaits its payment {paying.Id}: it is created once the payment succeeds.")
                : Problems.NotFound($"Instance {id}");
        }

        return TypedResults.Ok(InstanceDto.From(api.Rules, instance, scope.Account, scope.Now) with
        {
            Actions = Actions.Of(api.Rules, instance, scope.Account, scope.Now),
        });
    }

    /// <summary>R8.1, R8.6: the instance list; with <c>renewable=true</c> the renewal list; <c>Accept: text/csv</c> exports it.</summary>
    private static IResult List(
        HttpContext http, ApiContext api, string? product, string? region, string? status, string? renewalMode, int? expiresWithinDays,
        bool? renewable, bool? pendingChange, int? limit, string? cursor, string? accountId)
    {
        var owner = http.Caller().AccountId ?? accountId;
        if (PageLimit.Problem(limit) is { } tooMany) return tooMany;
        var parsed = Filter(owner, product, region, status, renewalMode, expiresWithinDays, renewable == true, pendingChange);
        if (parsed.Filter is not { } filter) return parsed.Problem!;

        var csv = http.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase);
        var take = limit ?? PageLimit.Default;
        using var session = api.Database.BeginRead();
        var nows = expiresWithinDays is null ? [] : api.ClockNows(session, owner);
        List<Instance> shown;
        string? nextCursor = null;
        if (csv)
        {
            shown = WholeList(session, api.Rules, filter, nows, cursor ?? string.Empty);
        }
        else
        {
            var page = session.Instances(api.Rules, filter, nows, cursor ?? string.Empty, take + 1);
            shown = [.. page.Take(take)];
            nextCursor = page.Count > take ? shown[^1].Id.Value : null;
        }

        var scopes = shown.Select(i => i.AccountId.Value).Distinct()
            .ToDictionary(a => a, a => api.Account(session, Caller.Operator, a)!);
        session.Commit();
        if (csv)
        {
            var rows = shown.Where(i => i.IsSubscription).Select(i => (i, scopes[i.AccountId.Value].Now));
            return TypedResults.Text(RenewalList.ToCsv(api.Rules, rows), "text/csv");
        }

        var items = shown.Select(i =>
        {
            var scope = scopes[i.AccountId.Value];
            return InstanceDto.From(api.Rules, i, scope.Account, scope.Now);
        });
        return TypedResults.Ok(new Page<InstanceDto>([.. items], nextCursor));
    }

    /// <summary>R8.6: an export is the whole list, not a page; it is read 500 rows (one statement) at a time.</summary>
    /// <summary>
    /// Seed 003's tab counts: how many renewable instances the renewal list's filters show in each renewal mode,
    /// counted by the database, so the console need not read three whole lists to label its tabs.
    /// </summary>
    private static IResult RenewalCounts(
        HttpContext http, ApiContext api, string? product, string? region, string? status, int? expiresWithinDays, string? accountId)
    {
        var owner = http.Caller().AccountId ?? accountId;
        var parsed = Filter(owner, product, region, status, null, expiresWithinDays, renewable: true, pendingChange: null);
        if (parsed.Filter is not { } filter) return parsed.Problem!;

        using var session = api.Database.BeginRead();
        var nows = expiresWithinDays is null ? [] : api.ClockNows(session, owner);
        var counts = session.InstanceCountsByMode(api.Rules, filter, nows);
        session.Commit();
        long Of(RenewalMode mode) => counts.GetValueOrDefault(mode);
        return TypedResults.Ok(new RenewalCountsDto(Of(RenewalMode.Manual), Of(RenewalMode.Auto), Of(RenewalMode.NoRenew)));
    }

    /// <summary>The list's filter from its query, or the problem of the first value out of range.</summary>
    private static ParsedFilter Filter(
        string? owner, string? product, string? region, string? status, string? renewalMode, int? expiresWithinDays, bool renewable,
        bool? pendingChange)
    {
        if (expiresWithinDays is < 0 or > 3650)
        {
            return new(null, Problems.Invalid("expiresWithinDays", "expiresWithinDays must be between 0 and 3650."));
        }

        if (!TryEnum<InstanceStatus>(status, out var statusFilter))
        {
            return new(null, Problems.Invalid("status", "status is running, stopped or released."));
        }

        if (!TryEnum<RenewalMode>(renewalMode, out var modeFilter))
        {
            return new(null, Problems.Invalid("renewalMode", "renewalMode is manual, auto or noRenew."));
        }

        return new(new InstanceFilter
        {
            Account = owner is null ? null : new AccountId(owner), Product = product, Region = region, Status = statusFilter,
            Mode = modeFilter, Renewable = renewable, ExpiresWithinDays = expiresWithinDays, PendingChange = pendingChange,
        }, null);
    }

    private sealed record ParsedFilter(InstanceFilter? Filter, IResult? Problem);

    private static List<Instance> WholeList(
        Session session, Rules rules, InstanceFilter filter, IReadOnlyDictionary<string, Instant> nows, string after)
    {
        var all = new List<Instance>();
        while (true)
        {
            var page = session.Instances(rules, filter, nows, after, 500);
            all.AddRange(page);
            if (page.Count < 500) return all;
            after = page[^1].Id.Value;
        }
    }

    /// <summary>R5.7: the timeline, oldest first, paged by <c>limit</c> (default 50, at most 500) and <c>cursor</c>.</summary>
    private static Results<Ok<Page<EventDto>>, ProblemHttpResult> Events(
        string id, HttpContext http, ApiContext api, int? limit, long? cursor)
    {
        if (PageLimit.Problem(limit) is { } tooMany) return tooMany;
        var take = limit ?? PageLimit.Default;
        using var session = api.Database.BeginRead();
        if (api.Instance(session, http.Caller(), id) is null) return Problems.NotFound($"Instance {id}");
        var rows = session.Timeline(id, cursor ?? 0, take + 1);
        var page = rows.Take(take).Select(e => new EventDto(e.At, e.Kind, e.Detail)).ToList();
        var next = rows.Count > take ? rows[take - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<EventDto>(page, next));
    }

    /// <summary>
    /// The events ahead of the instance if nothing changes (Schedule.Plan): at most 20, so a PAYG instance's hourly charges end.
    /// </summary>
    private static Results<Ok<ScheduleDto>, ProblemHttpResult> PlannedEvents(string id, HttpContext http, ApiContext api)
    {
        using var session = api.Database.BeginRead();
        if (api.Instance(session, http.Caller(), id) is not var (instance, scope)) return Problems.NotFound($"Instance {id}");
        var planned = Schedule.Plan(api.Rules, instance, scope.Account).Take(20)
            .Select(e => new PlannedEventDto(NextEventDto.KindName(e.Kind), e.At)).ToList();
        return TypedResults.Ok(new ScheduleDto(scope.Now, planned));
    }

    private static Task<IResult> Renew(string id, RenewInstance body, HttpContext http, CommandRunner run) =>
        run.OnInstances(http, [id], t => Quoting.Decide(t, t.Instance.Product, body.QuoteOnly, body.QuoteId,
            a => Renewal.Renew(run.Rules, t.Instance, a, body.PeriodMonths, t.Now), w => Reply.Ok(RenewResult.From(run.Rules, w, t))));

    private static Task<IResult> SetMode(string id, SetRenewal body, HttpContext http, CommandRunner run) =>
        run.OnInstances(http, [id], t => Decision.Of(
            RenewalSettings.Set(run.Rules, t.Instance, t.Account, body.Mode, body.AutoRenewMonths, t.Now),
            w => Reply.Ok(InstanceDto.From(run.Rules, w.Change.Instance, w.Change.Account, t.Now))));

    /// <summary>The account's notices, oldest first, paged by <c>limit</c> and <c>cursor</c>, with each channel's outcome (R9.7).</summary>
    private static Results<Ok<Page<NoticeDto>>, ProblemHttpResult> Notifications(
        HttpContext http, ApiContext api, Engine.Notices.NoticeRenderer renderer, string? instanceId, string? kind, string? accountId,
        int? limit, long? cursor)
    {
        if (PageLimit.Problem(limit) is { } tooMany) return tooMany;
        var take = limit ?? PageLimit.Default;
        var owner = http.Caller().AccountId ?? accountId;
        using var session = api.Database.BeginRead();
        var rows = session.Notices(owner, instanceId, kind, cursor ?? 0, take + 1);
        var templates = rows.Count > 0 ? Engine.Notices.NoticeTemplates.Load(session) : Engine.Notices.NoticeTemplates.Defaults;
        var items = rows.Take(take).Select(n => new NoticeDto(
            n.Id, n.At, n.Kind, n.InstanceId, renderer.Subject(templates, n), [.. n.Deliveries.Select(d => OutboxChannels.Of(d.Channel))],
            [.. n.Deliveries.Select(NoticeDeliveryDto.From)])
        {
            OrderId = n.Data?.OrderId,
        }).ToList();
        var next = rows.Count > take ? items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<NoticeDto>(items, next));
    }

    private static bool TryEnum<T>(string? text, out T? value)
        where T : struct, Enum
    {
        value = null;
        if (text is null) return true;
        var match = Enum.GetValues<T>().FirstOrDefault(v => string.Equals(v.ToString(), text, StringComparison.OrdinalIgnoreCase));
        if (!string.Equals(match.ToString(), text, StringComparison.OrdinalIgnoreCase)) return false;
        value = match;
        return true;
    }
}
