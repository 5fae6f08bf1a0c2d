using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Text;

namespace Tenure.Api.Web;

/// <summary>The renewal report page's figures: the span's report and one report per month of it that has begun.</summary>
public sealed record ReportView(
    RenewalReportDto Report, IReadOnlyList<(LocalDate Month, RenewalReportDto Report)> Months, IReadOnlyList<TestClockDto> Clocks,
    IReadOnlyList<string> Products, string? Product, string? ClockId);

/// <summary>R8.9 in the console: the operator's renewal report with its charts, drawn from GET /v1/reports/renewals.</summary>
public static partial class WebConsole
{
    private static void MapReport(RouteGroupBuilder console) =>
        console.MapGet("/operator/renewal-report", (HttpContext http, string? from, string? to, string? product, string? clock) =>
            SignedIn(http, async (user, client) =>
            {
                if (!user.IsOperator) return Results.Redirect("/console/account");
                var clocks = (await client.Get<Page<TestClockDto>>("/v1/test-clocks").ConfigureAwait(false)).Items;
                var clockId = Blank(clock);
                var api = http.RequestServices.GetRequiredService<ApiContext>();
                var now = clocks.FirstOrDefault(c => c.Id == clockId)?.FrozenTime ?? api.Clock.GetCurrentInstant();

                // By default the five months before this one, this one and the next: the rate by month and what is to come.
                var month = api.Rules.Calendar.DateOf(now).With(DateAdjusters.StartOfMonth);
                var start = Blank(from) ?? LocalDatePattern.Iso.Format(month.PlusMonths(-5));
                var end = Blank(to) ?? LocalDatePattern.Iso.Format(month.PlusMonths(2));
                var report = await client.Get<RenewalReportDto>(ReportPath(start, end, Blank(product), clockId)).ConfigureAwait(false);
                var months = new List<(LocalDate, RenewalReportDto)>();
                var begun = report.From.With(DateAdjusters.StartOfMonth);
                for (var m = begun; m < report.To && api.Rules.Calendar.StartOf(m) < now; m = m.PlusMonths(1))
                {
                    var first = m < report.From ? report.From : m;
                    var last = m.PlusMonths(1) > report.To ? report.To : m.PlusMonths(1);
                    var path = ReportPath(LocalDatePattern.Iso.Format(first), LocalDatePattern.Iso.Format(last), Blank(product), clockId);
                    months.Add((m, await client.Get<RenewalReportDto>(path).ConfigureAwait(false)));
                }

                return Page<RenewalReportPage>(new Frame(user, "Renewal report"), new
                {
                    View = new ReportView(
                        report, months, clocks, [.. api.Rules.Catalog.Products.Select(p => p.Code)], Blank(product), clockId),
                });
            }));

    private static string ReportPath(string from, string to, string? product, string? clockId) =>
        string.Create(CultureInfo.InvariantCulture,
            $"/v1/reports/renewals?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}") +
        (product is null ? string.Empty : $"&product={Uri.EscapeDataString(product)}") +
        (clockId is null ? string.Empty : $"&testClockId={Uri.EscapeDataString(clockId)}");
}
