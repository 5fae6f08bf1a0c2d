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

public sealed record CreateAccount(
    string Name, string Email, string? Phone = null, string? Currency = null, bool NoStopOnExpiry = false, string? TestClockId = null)
{
    /// <summary>R9.6: <c>en</c> (the default), <c>zh-Hans</c>, <c>zh-Hant</c> or <c>ja</c>.</summary>
    public string? Locale { get; init; }
}

public sealed record TopUp(long Amount);

public sealed record LedgerEntryDto(string AccountId, string Kind, long Amount, long Balance, string Currency, Instant At);

public sealed record GrantCoupon(long Amount, Instant ExpiresAt, string? Product = null);

/// <summary>Operator routes: test clocks, accounts, top-ups, coupons; and the catalog (open to all keys).</summary>
public static class OperatorApi
{
    public static void MapOperatorApi(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/v1").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Caller().IsOperator
                ? await next(context).ConfigureAwait(false)
                : Problems.Of(403, "forbidden", "This route needs the operator key."))
            .ProducesProblem(403);
        ops.MapPost("/test-clocks", CreateClock).Produces<TestClockDto>(201);
        ops.MapGet("/test-clocks", (ApiContext api) =>
        {
            using var session = api.Database.BeginRead();
            var clocks = session.TestClocks().Select(c => new TestClockDto(c.Id, c.FrozenTime)).ToList();
            return TypedResults.Ok(new Page<TestClockDto>(clocks, null));
        });
        ops.MapGet("/test-clocks/{id}", GetClock);
        ops.MapPost("/test-clocks/{id}/advance", Advance).Produces<TestClockDto>();
        ops.MapPost("/accounts", CreateAccountRoute).Produces<AccountDto>(201);
        ops.MapGet("/accounts", ListAccounts);
        ops.MapGet("/accounts/{id}", GetAccount);
        ops.MapPost("/accounts/{id}/top-ups", TopUpAccount).Produces<LedgerEntryDto>(201);
        ops.MapPost("/accounts/{id}/coupons", Grant).Produces<CouponDto>(201);
        ops.MapKeysApi();
        // timeZone: the billing zone (R1.1), so that clients show times as the console does.
        app.MapGet("/v1/products", (ApiContext api) => TypedResults.Ok(new
        {
            currency = api.Rules.Catalog.Currency, items = api.Rules.Catalog.Products, timeZone = api.Rules.Calendar.Zone.Id,
        }));
    }

    // A frozen time outside 1970–2200 is refused while the body is read (BoundedInstantConverter).
    private static Task<IResult> CreateClock(CreateTestClock body, HttpContext http, CommandRunner run, IClock clock)
    {
        return run.Run(http, session =>
        {
            var created = TestClocks.Create(session, body.FrozenTime, clock.GetCurrentInstant());
            var dto = new TestClockDto(created.Id, created.FrozenTime);
            return Task.FromResult<Decision>(Reply.Created($"/v1/test-clocks/{created.Id}", dto));
        });
    }

    private static Results<Ok<TestClockDto>, ProblemHttpResult> GetClock(string id, TestClocks clocks) =>
        clocks.Find(id) is { } clock
            ? TypedResults.Ok(new TestClockDto(clock.Id, clock.FrozenTime))
            : Problems.NotFound($"Test clock {id}");

    /// <summary>R12.1: the clock's due events run batch by batch first; then the clock moves, as a command.</summary>
    private static async Task<IResult> Advance(string id, AdvanceTestClock body, HttpContext http, CommandRunner run, TestClocks clocks)
    {
        // A refused or replayed request must not run the events ahead of the clock's time.
        if (await run.AnsweredAsync(http).ConfigureAwait(false) is { } answered) return answered;
        var ran = clocks.RunDue(id, body.To);
        if (ran.Refusal is { } refusal) return Problems.From(refusal);
        return await run.Run(http, session =>
        {
            TestClocks.Move(session, id, body.To);
            return Task.FromResult<Decision>(Reply.Ok(new TestClockDto(id, body.To, ran.Value)));
        }).ConfigureAwait(false);
    }

    private static Task<IResult> CreateAccountRoute(
        CreateAccount body, HttpContext http, CommandRunner run, IClock clock, TestClocks clocks)
    {
        var currency = run.Rules.Catalog.Currency;
        var problem = Inputs.Name(body.Name) ?? Inputs.Email(body.Email) ?? Inputs.Phone(body.Phone)
            ?? ((body.Currency ?? currency) != currency ? Problems.Invalid("currency", $"This deployment bills in {currency}.")
            : body.TestClockId is { } clockId && clocks.Find(clockId) is null
                ? Problems.Invalid("testClockId", $"No test clock '{clockId}'.")
            : body.Locale is not null && Locales.Parse(body.Locale).Refusal is { } badLocale ? Problems.From(badLocale)
            : null);
        if (problem is not null) return Task.FromResult<IResult>(problem);
        return run.Run(http, session =>
        {
            var row = new AccountRow
            {
                Id = Session.NewId("acc"), Name = body.Name, Email = body.Email, Phone = body.Phone, Currency = currency,
                NoStopOnExpiry = body.NoStopOnExpiry ? 1 : 0, ClockId = body.TestClockId ?? Session.SystemClock,
                CreatedAt = clock.GetCurrentInstant().ToUnixTimeTicks(),
                Locale = Locales.Find(body.Locale) ?? Locales.Default,
            };
            var key = ApiKeys.NewKey(out var prefix, out var hash);
            session.InsertAccount(row);
            session.InsertKey(new StoredKey(prefix, hash, row.Id), clock.GetCurrentInstant());
            return Task.FromResult<Decision>(Reply.Created($"/v1/accounts/{row.Id}", AccountDto.From(row, [], key)));
        });
    }

    private static Results<Ok<Page<AccountDto>>, ProblemHttpResult> ListAccounts(ApiContext api, int? limit, string? cursor)
    {
        if (PageLimit.Problem(limit) is { } problem) return problem;
        var take = limit ?? PageLimit.Default;
        using var session = api.Database.BeginRead();
        var rows = session.AccountRows(cursor ?? string.Empty, take + 1);
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
        var coupons = session.Coupons(id)
            .Select(c => new CouponDto(c.Id, c.Amount, c.Remaining, c.ExpiresAt, c.Product, row.Currency)).ToList();
        return AccountDto.From(row, coupons);
    }

    private static Task<IResult> TopUpAccount(string id, TopUp body, HttpContext http, CommandRunner run) =>
        run.OnAccount(http, id, t => Decision.Of(Payg.TopUp(run.Rules, t.Account, body.Amount, t.Instances, t.Now),
            w => Reply.Created($"/v1/accounts/{id}",
                new LedgerEntryDto(id, "topUp", body.Amount, w.Change.Account.Balance, t.Row.Currency, t.Now))),
            withInstances: true);

    private static Task<IResult> Grant(string id, GrantCoupon body, HttpContext http, CommandRunner run)
    {
        var couponId = new CouponId(Session.NewId("cpn"));
        return run.OnAccount(http, id, t => Decision.Of(
            Coupons.Grant(run.Rules, t.Account, couponId, body.Amount, body.ExpiresAt, body.Product, t.Now),
            _ => Reply.Created($"/v1/accounts/{id}",
                new CouponDto(couponId.Value, body.Amount, body.Amount, body.ExpiresAt, body.Product, t.Row.Currency))));
    }
}
