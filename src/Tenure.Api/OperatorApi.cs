using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Lifecycle;
using Tenure.Engine.Clocks;
using Tenure.Storage;

namespace Tenure.Api;

public sealed record CreateTestClock(Instant FrozenTime);

public sealed record AdvanceTestClock(Instant To);

public sealed record TestClockDto(string Id, Instant FrozenTime, int? EventsProcessed = null);

public sealed record CreateAccount(string Name, string Email, string? Phone = null, string? Currency = null, bool NoStopOnExpiry = false, string? TestClockId = null);

public sealed record TopUp(long Amount);

public sealed record LedgerEntryDto(string AccountId, string Kind, long Amount, long Balance, string Currency, Instant At);

public sealed record GrantCoupon(long Amount, Instant ExpiresAt, string? Product = null);

/// <summary>Operator routes: test clocks, accounts, top-ups, coupons; and the catalog (open to all keys).</summary>
public static class OperatorApi
{
    public static void MapOperatorApi(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/v1").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Caller().IsOperator ? await next(context).ConfigureAwait(false) : Problems.Of(403, "forbidden", "This route needs the operator key."));
        ops.MapPost("/test-clocks", CreateClock);
        ops.MapGet("/test-clocks", (ApiContext api) =>
        {
            using var session = api.Database.BeginRead();
            var clocks = session.Query<(string Id, long FrozenTime)>("SELECT id, frozen_time FROM test_clocks ORDER BY id").Select(c => new TestClockDto(c.Id, Instant.FromUnixTimeTicks(c.FrozenTime))).ToList();
            return TypedResults.Ok(new Page<TestClockDto>(clocks, null));
        });
        ops.MapGet("/test-clocks/{id}", GetClock);
        ops.MapPost("/test-clocks/{id}/advance", Advance);
        ops.MapPost("/accounts", CreateAccountRoute);
        ops.MapGet("/accounts", ListAccounts);
        ops.MapGet("/accounts/{id}", GetAccount);
        ops.MapPost("/accounts/{id}/top-ups", TopUpAccount);
        ops.MapPost("/accounts/{id}/coupons", Grant);
        app.MapGet("/v1/products", (ApiContext api) => TypedResults.Ok(new { currency = api.Rules.Catalog.Currency, items = api.Rules.Catalog.Products }));
    }

    /// <summary>Test clocks live between 1970 and 2200, far from the calendar's limits.</summary>
    private static readonly (Instant From, Instant To) ClockRange = (Instant.FromUtc(1970, 1, 1, 0, 0), Instant.FromUtc(2200, 1, 1, 0, 0));

    private static Results<Created<TestClockDto>, ProblemHttpResult> CreateClock(CreateTestClock body, ApiContext api, TestClocks clocks)
    {
        if (body.FrozenTime < ClockRange.From || body.FrozenTime >= ClockRange.To) return Problems.Invalid("frozenTime", "frozenTime must be between 1970 and 2200.");
        var clock = clocks.Create(body.FrozenTime, api.Clock.GetCurrentInstant());
        return TypedResults.Created($"/v1/test-clocks/{clock.Id}", new TestClockDto(clock.Id, clock.FrozenTime));
    }

    private static Results<Ok<TestClockDto>, ProblemHttpResult> GetClock(string id, TestClocks clocks) =>
        clocks.Find(id) is { } clock ? TypedResults.Ok(new TestClockDto(clock.Id, clock.FrozenTime)) : Problems.NotFound($"Test clock {id}");

    private static Results<Ok<TestClockDto>, ProblemHttpResult> Advance(string id, AdvanceTestClock body, TestClocks clocks)
    {
        if (body.To >= ClockRange.To) return Problems.Invalid("to", "A test clock stops at 2200.");
        var advanced = clocks.Advance(id, body.To);
        if (advanced.Refusal is { } refusal) return Problems.From(refusal);
        var (clock, events) = advanced.Value;
        return TypedResults.Ok(new TestClockDto(clock.Id, clock.FrozenTime, events));
    }

    private static Results<Created<AccountDto>, ProblemHttpResult> CreateAccountRoute(CreateAccount body, ApiContext api, TestClocks clocks)
    {
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200) return Problems.Invalid("name", "name is required (at most 200 characters).");
        else if (!body.Email.Contains('@', StringComparison.Ordinal) || body.Email.Length > 320) return Problems.Invalid("email", "email must be an e-mail address.");
        else if ((body.Currency ?? api.Rules.Catalog.Currency) != api.Rules.Catalog.Currency) return Problems.Invalid("currency", $"This deployment bills in {api.Rules.Catalog.Currency}.");
        else if (body.TestClockId is { } clockId && clocks.Find(clockId) is null) return Problems.Invalid("testClockId", $"No test clock '{clockId}'.");
        {
            var row = new AccountRow
            {
                Id = Session.NewId("acc"), Name = body.Name, Email = body.Email, Phone = body.Phone, Currency = api.Rules.Catalog.Currency,
                NoStopOnExpiry = body.NoStopOnExpiry ? 1 : 0, ClockId = body.TestClockId ?? Session.SystemClock, CreatedAt = api.Clock.GetCurrentInstant().ToUnixTimeTicks(),
            };
            var key = ApiKeys.NewKey(out var prefix, out var hash);
            using var session = api.Database.Begin();
            session.InsertAccount(row);
            session.Execute("INSERT INTO api_keys (prefix, hash, account_id, created_at) VALUES (@prefix, @hash, @Id, @CreatedAt)", new { prefix, hash, row.Id, row.CreatedAt });
            session.Commit();
            return TypedResults.Created($"/v1/accounts/{row.Id}", AccountDto.From(row, [], key));
        }
    }

    private static Ok<Page<AccountDto>> ListAccounts(ApiContext api, int? limit, string? cursor)
    {
        var take = Math.Clamp(limit ?? 50, 1, 500);
        using var session = api.Database.BeginRead();
        var rows = session.Query<AccountRow>("SELECT * FROM accounts WHERE id > @after ORDER BY id LIMIT @take", new { after = cursor ?? string.Empty, take = take + 1 }).ToList();
        session.Commit();
        var page = rows.Take(take).Select(r => AccountDto.From(r, [])).ToList();
        return TypedResults.Ok(new Page<AccountDto>(page, rows.Count > take ? page[^1].Id : null));
    }

    private static Results<Ok<AccountDto>, ProblemHttpResult> GetAccount(string id, ApiContext api)
    {
        using var session = api.Database.BeginRead();
        return AccountView(session, id) is { } dto ? TypedResults.Ok(dto) : Problems.NotFound($"Account {id}");
    }

    internal static AccountDto? AccountView(Session session, string id)
    {
        if (session.AccountRow(id) is not { } row) return null;
        var coupons = session.Query<(string Id, long Amount, long Remaining, long ExpiresAt, string? Product)>(
            "SELECT id, amount, remaining, expires_at, product FROM coupons WHERE account_id = @id ORDER BY expires_at, id", new { id })
            .Select(c => new CouponDto(c.Id, c.Amount, c.Remaining, Instant.FromUnixTimeTicks(c.ExpiresAt), c.Product, row.Currency)).ToList();
        return AccountDto.From(row, coupons);
    }

    private static Results<Created<LedgerEntryDto>, ProblemHttpResult> TopUpAccount(string id, TopUp body, HttpContext http, ApiContext api)
    {
        using var session = api.Database.Begin();
        var instances = session.LockAccountInstances(id); // instances before the account, as the engine locks them
        if (api.Account(session, http.Caller(), id) is not { } scope) return Problems.NotFound($"Account {id}");
        var topUp = Payg.TopUp(api.Rules, scope.Account, body.Amount, instances, scope.Now);
        if (topUp.Refusal is { } refusal) return Problems.From(refusal);
        api.Commit(session, scope, topUp.Value);
        return TypedResults.Created($"/v1/accounts/{id}", new LedgerEntryDto(id, "topUp", body.Amount, topUp.Value.Account.Balance, scope.Row.Currency, scope.Now));
    }

    private static Results<Created<CouponDto>, ProblemHttpResult> Grant(string id, GrantCoupon body, HttpContext http, ApiContext api)
    {
        using var session = api.Database.Begin();
        if (api.Account(session, http.Caller(), id) is not { } scope) return Problems.NotFound($"Account {id}");
        var couponId = new CouponId(Session.NewId("cpn"));
        var granted = Coupons.Grant(api.Rules, scope.Account, couponId, body.Amount, body.ExpiresAt, body.Product, scope.Now);
        if (granted.Refusal is { } refusal) return Problems.From(refusal);
        api.Commit(session, scope, granted.Value);
        return TypedResults.Created($"/v1/accounts/{id}", new CouponDto(couponId.Value, body.Amount, body.Amount, body.ExpiresAt, body.Product, scope.Row.Currency));
    }
}
