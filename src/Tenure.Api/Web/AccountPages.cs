using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;


namespace Tenure.Api.Web;

/// <summary>What happened on a test clock's accounts after an advance: their instances as they are now.</summary>
public sealed record ClockAccounts(TestClockDto Clock, IReadOnlyList<AccountDto> Accounts, IReadOnlyList<InstanceDto> Instances);

/// <summary>
/// The account page (balance, coupons, forecast, notices) and the operator pages (accounts, test clocks, reviewed upgrades).
/// </summary>
public static partial class WebConsole
{
    private static void MapAccount(RouteGroupBuilder console) =>
        console.MapGet("/account", (HttpContext http, string? id, string? notice, string? error, string? code) =>
            SignedIn(http, async (user, client) =>
            {
                if (user.IsOperator && Blank(id) is null) return Results.Redirect("/console/operator");
                var query = user.IsOperator ? $"accountId={Uri.EscapeDataString(id!)}" : string.Empty;
                var account = await client.Get<AccountDto>(user.IsOperator ? $"/v1/accounts/{Uri.EscapeDataString(id!)}" : "/v1/account")
                    .ConfigureAwait(false);
                var forecast = await client.Get<ForecastDto>($"/v1/renewals/forecast?days=30&{query}").ConfigureAwait(false);
                var notices = await All<NoticeDto>(client, $"/v1/notifications?{query}").ConfigureAwait(false);
                var frame = new Frame(user, Show.Text("Account {0}", account.Name), notice, error, code);
                return Page<AccountPage>(frame,
                    new { Account = account, Forecast = forecast, Notices = notices.TakeLast(50).Reverse().ToList() });
            }));

    private static void MapOperator(RouteGroupBuilder console)
    {
        console.MapGet("/operator", (HttpContext http, string? clock, string? notice, string? error, string? code) =>
            SignedIn(http, (user, client) => Operator(user, client, Blank(clock), new Frame(user, "Operator", notice, error, code))));
        console.MapPost("/operator/accounts", Handler(http => SignedIn(http, async (user, client) =>
        {
            // Not a redirect: the new key is shown once, and never put in a URL.
            var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
            var created = await client.Post<AccountDto>("/v1/accounts", new CreateAccount(
                form["name"].ToString(), form["email"].ToString(), Blank(form["phone"]), null,
                form["noStopOnExpiry"] == "on", Blank(form["testClockId"]))).ConfigureAwait(false);
            var shown = $"Created account {created.Id} ({created.Name}). Its API key, shown only now: {created.ApiKey}";
            return await Operator(user, client, created.TestClockId, new Frame(user, "Operator", shown)).ConfigureAwait(false);
        })));
        console.MapPost("/operator/top-up", Handler(http => Posted(http, async (_, client, form) =>
        {
            var account = form["accountId"].ToString();
            var entry = await client.Post<LedgerEntryDto>(
                $"/v1/accounts/{Uri.EscapeDataString(account)}/top-ups", new TopUp(Amount(form["amount"].ToString(), "Amount")))
                .ConfigureAwait(false);
            return ("/console/operator",
                $"Topped up {account} by {Show.Money(entry.Amount, entry.Currency)}; balance {Show.Money(entry.Balance, entry.Currency)}.");
        })));
        console.MapPost("/operator/coupons", Handler(http => Posted(http, async (_, client, form) =>
        {
            var account = form["accountId"].ToString();
            var grant = new GrantCoupon(
                Amount(form["amount"].ToString(), "Amount"), Time(Rules(http), form["expiresAt"].ToString(), "Expires"),
                Blank(form["product"]));
            var coupon = await client.Post<CouponDto>($"/v1/accounts/{Uri.EscapeDataString(account)}/coupons", grant).ConfigureAwait(false);
            return ("/console/operator", $"Granted coupon {coupon.Id} of {Show.Money(coupon.Amount, coupon.Currency)} to {account}.");
        })));
        console.MapPost("/operator/clocks", Handler(http => Posted(http, async (_, client, form) =>
        {
            var frozen = Time(Rules(http), form["frozenTime"].ToString(), "Frozen time");
            var clock = await client.Post<TestClockDto>("/v1/test-clocks", new CreateTestClock(frozen)).ConfigureAwait(false);
            return ($"/console/operator?clock={clock.Id}",
                $"Created test clock {clock.Id} at {Show.At(Calendar(http), clock.FrozenTime)}.");
        })));
        console.MapPost("/operator/clocks/{id}/advance", (string id, HttpContext http) => Posted(http, async (_, client, form) =>
        {
            var path = $"/v1/test-clocks/{Uri.EscapeDataString(id)}";
            var clock = await client.Get<TestClockDto>(path).ConfigureAwait(false);
            var calendar = Calendar(http);
            var to = form["by"].ToString() switch
            {
                "day" => calendar.PlusDays(clock.FrozenTime, 1),
                "week" => calendar.PlusDays(clock.FrozenTime, 7),
                "month" => calendar.Zone.AtLeniently(calendar.Local(clock.FrozenTime).PlusMonths(1)).ToInstant(),
                _ => Time(Rules(http), form["to"].ToString(), "Advance to"),
            };
            var advanced = await client.Post<TestClockDto>($"{path}/advance", new AdvanceTestClock(to)).ConfigureAwait(false);
            return ($"/console/operator?clock={Uri.EscapeDataString(id)}",
                $"Advanced {id} from {Show.At(calendar, clock.FrozenTime)} to {Show.At(calendar, advanced.FrozenTime)}: " +
                $"{advanced.EventsProcessed ?? 0} event(s) processed.");
        }));
    }

    private static async Task<IResult> Operator(ConsoleUser user, ApiClient client, string? clockId, Frame frame)
    {
        if (!user.IsOperator) return Results.Redirect("/console/account");
        var accounts = await client.Get<Page<AccountDto>>("/v1/accounts?limit=500").ConfigureAwait(false);
        var clocks = await client.Get<Page<TestClockDto>>("/v1/test-clocks").ConfigureAwait(false);
        var pending = await client.Get<Page<InstanceDto>>("/v1/instances?pendingChange=true&limit=500").ConfigureAwait(false);
        ClockAccounts? watched = null;
        if (clocks.Items.FirstOrDefault(c => c.Id == clockId) is { } clock)
        {
            var onClock = accounts.Items.Where(a => a.TestClockId == clock.Id).Take(20).ToList();
            var instances = new List<InstanceDto>();
            foreach (var account in onClock)
            {
                var page = await client.Get<Page<InstanceDto>>($"/v1/instances?accountId={Uri.EscapeDataString(account.Id)}&limit=500")
                    .ConfigureAwait(false);
                instances.AddRange(page.Items);
            }
            watched = new ClockAccounts(clock, onClock, instances);
        }

        return Page<OperatorPage>(frame, new
        {
            Accounts = accounts.Items, Clocks = clocks.Items, Watched = watched,
            Upgrades = pending.Items.Where(i => i.PendingChange is { Kind: Domain.Instances.PendingChangeKind.ReviewedUpgrade }).ToList(),
        });
    }
}
