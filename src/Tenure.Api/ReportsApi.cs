using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using NodaTime;
using NodaTime.Text;
using Tenure.Domain;
using Tenure.Domain.Renewals;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>R8.9: the automatic renewals still to come on one local day; what their accounts hold covers <c>covered</c> of them.</summary>
public sealed record UpcomingRenewalDto(LocalDate Date, long Count, long Amount, long Covered);

/// <summary>R8.9: the renewal report of <c>[from, to)</c> (local dates), on one clock.</summary>
public sealed record RenewalReportDto(
    LocalDate From, LocalDate To, long Due, long Renewed, long RenewedManually, long RenewedAutomatically,
    IReadOnlyDictionary<string, long> ByAttemptDay, long Stopped, long Released, double RenewalRate, long Revenue,
    IReadOnlyList<UpcomingRenewalDto> Upcoming, string Currency, string? TestClockId)
{
    public static RenewalReportDto Of(RenewalReport r, string currency, string? testClockId) => new(
        r.From, r.To, r.Due, r.Renewed, r.RenewedManually, r.RenewedAutomatically,
        r.ByAttemptDay.ToDictionary(d => d.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), d => d.Value),
        r.Stopped, r.Released, r.RenewalRate, r.Revenue,
        [.. r.Upcoming.Select(u => new UpcomingRenewalDto(u.Date, u.Count, u.Amount, u.Covered))], currency, testClockId);
}

/// <summary>R8.9: the operator's reports.</summary>
public static class ReportsApi
{
    public static void MapReportsApi(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/v1/reports").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Caller().IsOperator
                ? await next(context).ConfigureAwait(false)
                : Problems.Of(403, "forbidden", "This route needs the operator key."))
            .ProducesProblem(403);
        ops.MapGet("/renewals", Renewals).Produces<RenewalReportDto>().ProducesProblem(400);
    }

    /// <summary>
    /// R8.9 over the instances of one clock (the system clock, or <c>testClockId</c>), whose now decides what has come due.
    /// </summary>
    private static Results<Ok<RenewalReportDto>, ProblemHttpResult> Renewals(
        string? from, string? to, string? product, string? testClockId, ApiContext api)
    {
        using var session = api.Database.BeginRead();
        var report = Report(api, session, from, to, product, testClockId);
        session.Commit();
        return report.Refusal is { } refusal ? Problems.From(refusal) : TypedResults.Ok(report.Value);
    }

    /// <summary>The report as the API answers it, for the route and the console alike.</summary>
    internal static Outcome<RenewalReportDto> Report(
        ApiContext api, Session session, string? from, string? to, string? product, string? testClockId)
    {
        if (Date(from) is not { } start) return Refusal.Invalid("from", "from must be a local date, yyyy-MM-dd.");
        if (Date(to) is not { } end) return Refusal.Invalid("to", "to must be a local date, yyyy-MM-dd.");
        if (product is not null && api.Rules.Catalog.Find(product) is null) return Refusal.Invalid("product", $"No product '{product}'.");
        var clockId = testClockId ?? Session.SystemClock;
        if (testClockId is not null && session.TestClock(testClockId) is null)
        {
            return Refusal.Invalid("testClockId", $"No test clock '{testClockId}'.");
        }

        var now = api.NowFor(session, clockId);
        return RenewalReports.Span(api.Rules, start, end, now).Then<RenewalReportDto>(span =>
            RenewalReportDto.Of(session.RenewalReport(api.Rules, clockId, product, span, now), api.Rules.Catalog.Currency, testClockId));
    }

    private static LocalDate? Date(string? text) =>
        text is not null && LocalDatePattern.Iso.Parse(text) is { Success: true } parsed && parsed.Value.Year is >= 1970 and <= 2200
            ? parsed.Value
            : null;
}
