using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Tenure.Api.Tests;

/// <summary>R8.9 in the console: the operator's renewal report page with its three charts.</summary>
public sealed partial class ConsoleTests
{
    [Fact]
    public async Task R8_9_the_operator_reads_the_renewal_report_with_charts_at_400_px_and_no_label_overlaps_another()
    {
        // Two auto-renew ECS instances expiring 2019-04-02 00:00 local with 1,000 for one renewal: the T-3 attempt renews the
        // first (R4.8), the second waits until a top-up on 04-04 lets T+6 (04-08) rescue it. Both come again on 05-02, uncovered.
        var (key, accountId, clockId) = await Customer("2019-03-01T02:00:00Z", 3000);
        await Buy(key, "ecs", "ecs.small", 1, autoRenew: true);
        await Buy(key, "ecs", "ecs.small", 1, autoRenew: true);
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-04-04T02:00:00Z" })).Status);
        Assert.Equal(201, (await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 1000 })).Status);
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-04-12T02:00:00Z" })).Status);

        var page = await browser.Page(javaScript: true);
        await page.SetViewportSizeAsync(400, 900);
        await page.GotoAsync($"{server.BaseAddress}console/sign-in");
        await page.GetByLabel("API key").FillAsync(Server.OperatorKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Renewal report" }).ClickAsync();
        await page.GetByLabel("Clock").SelectOptionAsync(clockId);
        await page.GetByLabel("From (inclusive)").FillAsync("2019-01-01");
        await page.GetByLabel("To (exclusive)").FillAsync("2019-05-03");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();

        var figures = page.GetByTestId("report-figures");
        await Expect(figures).ToContainTextAsync("Came due2");
        await Expect(figures).ToContainTextAsync("Renewed2 (2 automatically, 0 by hand)");
        await Expect(figures).ToContainTextAsync("Renewal rate100 %");
        await Expect(figures).ToContainTextAsync("Renewal revenue20.00 USD");
        await Expect(page.GetByTestId("rate-by-month")).ToHaveAttributeAsync("aria-label",
            // May has not begun on the clock.
            "Renewal rate by month: Jan 19 0 % of 0; Feb 19 0 % of 0; Mar 19 0 % of 0; Apr 19 100 % of 2");
        await Expect(page.GetByTestId("by-attempt-day")).ToHaveAttributeAsync("aria-label",
            "Renewals by the attempt that paid them: T-3 1; T-1 0; T 0; T+6 1; T+14 0; by hand 0");
        await Expect(page.GetByTestId("upcoming"))
            .ToHaveAttributeAsync("aria-label", "Auto-renewals to come by day: 2019-05-02 2, 0 covered");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "2019-05-02" })).ToContainTextAsync("20.00 USD");

        // Every chart fits the 400 px page, and no two of its labels overlap.
        await AssertChartsFit(page, 3);
        var axe = await page.RunAxe();
        Assert.Empty(axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}"));
        await Shot(page, "operator-renewal-report-400px");
    }

    /// <summary>
    /// The page has <paramref name="charts"/> SVG charts, each ends within 400 px, and no two text boxes of one overlap.
    /// </summary>
    internal static async Task AssertChartsFit(IPage page, int charts)
    {
        var layout = await page.EvaluateAsync<int[][]>("""
            () => [...document.querySelectorAll('svg')].map(svg => {
              const boxes = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect());
              let overlaps = 0;
              for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                const a = boxes[i], b = boxes[j];
                if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlaps++;
              }
              return [overlaps, Math.ceil(svg.getBoundingClientRect().right)];
            })
            """);
        Assert.Equal(charts, layout.Length);
        Assert.All(layout, chart => Assert.Equal(0, chart[0]));
        Assert.All(layout, chart => Assert.True(chart[1] <= 400, $"a chart ends at {chart[1]} px"));
    }
}
