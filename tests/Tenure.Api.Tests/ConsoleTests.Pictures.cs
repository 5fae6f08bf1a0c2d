using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Tenure.Api.Tests;

/// <summary>The console's pictures, measured in Chromium with JavaScript on: labels that never touch, axes with units.</summary>
public sealed partial class ConsoleTests
{
    private static readonly object Payg = new
    {
        product = "rocketmq", region = "cn-hangzhou", spec = "rocketmq.standard", chargeType = "payg",
    };

    /// <summary>A text's box in the SVG's own pixels, as Chromium drew it.</summary>
    private sealed record Box(string Text, string Class, double Left, double Top, double Right, double Bottom, double Width, double Height);

    [Fact]
    public async Task R4_3_the_lifecycle_picture_of_seed_002s_five_attempts_and_of_20_payg_charges_has_no_label_on_another_or_outside()
    {
        var (key, _, clockId) = await Customer("2019-03-01T02:00:00Z", 1000);
        // Expires 2019-04-02 00:00; the balance is now 0, so every attempt fails.
        var auto = await Buy(key, "ecs", "ecs.small", 1, autoRenew: true);
        var page = await SignIn(key, javaScript: true);

        await page.GotoAsync($"{server.BaseAddress}console/instances/{auto}");
        var planned = await Boxes(page);
        AssertReadable(planned);
        Assert.Equal(["purchase", "5 auto-renew attempts", "reminder", "release warning", "expiry", "stop", "release"],
            Texts(planned, "label"));
        var cluster = page.Locator("text.label", new() { HasText = "5 auto-renew attempts" });
        var attempts = page.GetByTestId("timeline").Locator("g", new() { Has = cluster });
        Assert.Equal(
            string.Join('\n', new[] { "03-30", "04-01", "04-02", "04-08", "04-16" }
                .Select(day => $"2019-{day} 08:00: auto renew attempt (planned)")),
            await attempts.Locator("title").TextContentAsync());
        var ticks = Texts(planned, "tick");
        Assert.Equal(ticks.Distinct().Count(), ticks.Count);
        Assert.Equal("2019-03-08 03-15 03-22 03-29 04-05 04-12 04-19 04-26 05-03", string.Join(' ', ticks));
        await Shot(page, "timeline-planned-attempts");

        // T+14 09:00: the five attempts have failed (seed 002's T-3, T-1, T, T+6, T+14), the stop is next.
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-04-16T01:00:00Z" })).Status);
        await page.ReloadAsync();
        var failed = await Boxes(page);
        AssertReadable(failed);
        Assert.Contains("5 failed auto-renewals", Texts(failed, "label"));

        var (paygKey, _, _) = await Customer("2019-03-01T02:00:00Z", 10_000);
        var bought = await server.Client(paygKey).Post("/v1/instances", Payg);
        Assert.Equal(201, bought.Status);
        var payg = await SignIn(paygKey, javaScript: true);
        await payg.GotoAsync($"{server.BaseAddress}console/instances/{bought.Body.Str("id")}");
        var charges = await Boxes(payg);
        AssertReadable(charges);
        Assert.Equal(["purchase", "20 PAYG charges"], Texts(charges, "label"));
        await Shot(payg, "timeline-payg-charges");
    }

    [Fact]
    public async Task R11_1_usage_charts_have_a_time_axis_in_the_billing_zone_and_a_value_axis_with_its_unit()
    {
        var (key, _, _) = await Customer("2017-11-08T02:00:00Z", 5000);
        var id = await Buy(key, "mqtt", "mqtt.basic.1k", 1);
        var samples = new[] { new { at = "2017-11-08T00:30:00Z", tps = 400, subscriptions = 10, connections = 10 } };
        Assert.Equal(200, (await server.Client(key).Post($"/v1/instances/{id}/usage", new { samples })).Status);
        var page = await SignIn(key);
        await page.GotoAsync($"{server.BaseAddress}console/instances/{id}");

        var tps = page.GetByTestId("usage-tps");
        await Expect(tps.GetByTestId("value-unit")).ToHaveTextAsync("(messages per second)");
        await Expect(tps.Locator(".y-tick text")).ToHaveTextAsync(["0", "200", "400", "600", "800", "1k"]);
        // The last day up to now (2017-11-08 10:00 in Asia/Shanghai), a tick every 6 hours; the date is written once per day.
        await Expect(tps.Locator(".x-tick text")).ToHaveTextAsync(["11-07 12:00", "18:00", "11-08 00:00", "06:00"]);
        await Expect(tps.GetByTestId("time-unit")).ToHaveTextAsync("hourly maxima, time in Asia/Shanghai");
        await Expect(page.GetByTestId("usage-connections").GetByTestId("value-unit")).ToHaveTextAsync("(client connections)");
        await Expect(page.GetByTestId("usage-subscriptions").Locator(".y-tick text")).ToHaveTextAsync(["0", "1k", "2k", "3k", "4k", "5k"]);
    }

    /// <summary>
    /// Every console page, one row each: its name (the screenshot is artifacts/screenshots/name-width.png), who looks at it
    /// (nobody, the customer or the operator) and how to get there. A new page is one more row.
    /// </summary>
    private static IEnumerable<(string Name, string Who, Func<IPage, Pages, Task> Open)> ConsolePages(string root) =>
    [
        ("sign-in", "nobody", (page, _) => page.GotoAsync($"{root}console/sign-in")),
        ("renewals-manual", "customer", (page, _) => page.GotoAsync($"{root}console/renewals?tab=manual")),
        ("renewals-auto", "customer", (page, _) => page.GotoAsync($"{root}console/renewals?tab=auto")),
        ("renewals-norenew", "customer", (page, _) => page.GotoAsync($"{root}console/renewals?tab=noRenew")),
        ("renewals-quote", "customer", async (page, seeded) =>
        {
            await page.GotoAsync($"{root}console/renewals?tab=manual");
            await page.GetByLabel($"Select {seeded.Ecs}").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Quote renewal" }).ClickAsync();
        }),
        ("instance-ecs", "customer", (page, seeded) => page.GotoAsync($"{root}console/instances/{seeded.Ecs}")),
        ("instance-auto-failing", "customer", (page, seeded) => page.GotoAsync($"{root}console/instances/{seeded.Auto}")),
        ("instance-mqtt-usage", "customer", (page, seeded) => page.GotoAsync($"{root}console/instances/{seeded.Mqtt}")),
        ("instance-payg", "customer", (page, seeded) => page.GotoAsync($"{root}console/instances/{seeded.Payg}")),
        ("instance-quote", "customer", async (page, seeded) =>
        {
            await page.GotoAsync($"{root}console/instances/{seeded.Ecs}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Quote renewal" }).ClickAsync();
        }),
        ("instance-stopped", "operator", (page, seeded) => page.GotoAsync($"{root}console/instances/{seeded.Stopped}")),
        ("account", "customer", (page, _) => page.GotoAsync($"{root}console/account")),
        ("instances-all", "customer", (page, _) => page.GotoAsync($"{root}console/instances")),
        ("buy", "customer", (page, _) => page.GotoAsync($"{root}console/buy")),
        ("buy-quote", "customer", async (page, _) =>
        {
            await page.GotoAsync($"{root}console/buy");
            await page.Locator("#b-spec").SelectOptionAsync("ecs.small");
            await page.GetByRole(AriaRole.Button, new() { Name = "Quote purchase" }).ClickAsync();
        }),
        ("spec-change-quote", "customer", async (page, seeded) =>
        {
            await page.GotoAsync($"{root}console/instances/{seeded.Ecs}");
            await page.Locator("#c-spec").SelectOptionAsync("ecs.medium");
            await page.GetByRole(AriaRole.Button, new() { Name = "Quote spec change" }).ClickAsync();
        }),
        ("billing", "customer", (page, _) => page.GotoAsync($"{root}console/billing")),
        ("order", "customer", (page, seeded) => page.GotoAsync($"{root}console/orders/{seeded.Order}")),
        ("receipt", "customer", (page, seeded) => page.GotoAsync($"{root}console/orders/{seeded.Order}/receipt")),
        ("operator", "operator", (page, _) => page.GotoAsync($"{root}console/operator")),
        ("error", "customer", (page, _) => page.GotoAsync($"{root}console/instances/i-none")),
    ];

    /// <summary>
    /// The axe rules that a narrower layout can change (the markup and the colours are the same at every width); at 400 px
    /// only these run, which keeps the test's time down: a full axe run takes seconds on a shared machine.
    /// </summary>
    private static readonly Deque.AxeCore.Commons.AxeRunOptions LayoutRules = new()
    {
        RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions
        {
            Type = "rule", Values = ["scrollable-region-focusable", "meta-viewport", "target-size"],
        },
    };

    /// <summary>The instances the page list shows.</summary>
    private sealed record Pages(string Ecs, string Auto, string Mqtt, string Payg, string Stopped, string Order);

    [Fact]
    public async Task Every_console_page_at_1400_and_400_px_is_screenshot_never_scrolls_sideways_and_passes_axe()
    {
        var (key, _, _) = await Customer("2019-03-01T02:00:00Z", 20_000);
        var ecs = await Buy(key, "ecs", "ecs.small", 1);
        var mqtt = await Buy(key, "mqtt", "mqtt.basic.1k", 1);
        var auto = await Buy(key, "ecs", "ecs.medium", 1, autoRenew: true); // 20.00 a month against 10.00 left at T-3
        var payg = await server.Client(key).Post("/v1/instances", Payg);
        Assert.Equal(201, payg.Status);
        var (other, _, clock) = await Customer("2019-03-01T02:00:00Z", 1000);
        var stopped = await Buy(other, "ecs", "ecs.small", 1);
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clock}/advance", new { to = "2019-04-03T02:00:00Z" })).Status);
        var order = (await server.Client(key).Get($"/v1/orders?instanceId={ecs}")).Body!["items"]![0].Str("id");
        var seeded = new Pages(ecs, auto, mqtt, payg.Body.Str("id"), stopped, order);
        var pages = new Dictionary<string, IPage>
        {
            ["nobody"] = await browser.Page(javaScript: true),
            ["customer"] = await SignIn(key, javaScript: true),
            ["operator"] = await SignIn(Server.OperatorKey, javaScript: true),
        };

        // axe really runs here: an unlabelled field is a critical violation.
        await pages["nobody"].SetContentAsync(
            "<!DOCTYPE html><html lang=\"en\"><head><title>probe</title></head><body><main><input></main></body></html>");
        Assert.Contains((await pages["nobody"].RunAxe()).Violations, v => v.Id == "label" && v.Impact == "critical");

        var problems = new List<string>();
        foreach (var width in new[] { 1400, 400 })
        {
            foreach (var (name, who, open) in ConsolePages(server.BaseAddress.ToString()))
            {
                var page = pages[who];
                await page.SetViewportSizeAsync(width, 900);
                await open(page, seeded);
                await Shot(page, $"{name}-{width}");
                var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
                if (scrollWidth > width) problems.Add($"{name} at {width} px is {scrollWidth} px wide");
                var axe = await page.RunAxe(width == 1400 ? null : LayoutRules);
                problems.AddRange(axe.Violations.Where(v => v.Impact is "serious" or "critical")
                    .Select(v => $"{name} at {width} px: {v.Id} ({v.Impact}): {v.Help} at "
                        + string.Join(", ", v.Nodes.Select(n => n.Target))));
            }
        }

        Assert.Empty(problems);
        Assert.Equal(ConsolePages("/").Count(), ConsolePages("/").Select(p => p.Name).Distinct().Count()); // one screenshot each
    }

    /// <summary>Every text of the lifecycle picture, and the picture itself as the last box.</summary>
    private static async Task<List<Box>> Boxes(IPage page)
    {
        var json = await page.GetByTestId("timeline").EvaluateAsync<JsonElement>("""
            svg => {
              const frame = svg.getBoundingClientRect();
              const box = (text, cls, r) => ({ text, cls, left: r.left - frame.left, top: r.top - frame.top, right: r.right - frame.left,
                bottom: r.bottom - frame.top, width: r.width, height: r.height });
              return [...svg.querySelectorAll('text')]
                .map(t => box(t.textContent, t.getAttribute('class') ?? '', t.getBoundingClientRect()))
                .concat([box('(picture)', 'svg', frame)]);
            }
            """);
        return [.. json.EnumerateArray().Select(b => new Box(b.GetProperty("text").GetString()!, b.GetProperty("cls").GetString()!,
            b.GetProperty("left").GetDouble(), b.GetProperty("top").GetDouble(),
            b.GetProperty("right").GetDouble(), b.GetProperty("bottom").GetDouble(),
            b.GetProperty("width").GetDouble(), b.GetProperty("height").GetDouble()))];
    }

    private static List<string> Texts(List<Box> boxes, string cls) => [.. boxes.Where(b => b.Class == cls).Select(b => b.Text)];

    /// <summary>No text outside the picture, and no two texts on one another (touching edges allowed).</summary>
    private static void AssertReadable(List<Box> boxes)
    {
        var picture = boxes[^1];
        var texts = boxes.Take(boxes.Count - 1).ToList();
        Assert.All(texts, t => Assert.True(t.Left >= 0 && t.Top >= 0 && t.Right <= picture.Width && t.Bottom <= picture.Height,
            $"'{t.Text}' at ({t.Left:F1}, {t.Top:F1})–({t.Right:F1}, {t.Bottom:F1}) "
            + $"leaves the picture of {picture.Width:F0}×{picture.Height:F0}"));
        var overlaps = new List<string>();
        for (var i = 0; i < texts.Count; i++)
        {
            for (var j = i + 1; j < texts.Count; j++)
            {
                var (a, b) = (texts[i], texts[j]);
                var across = Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left);
                var down = Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top);
                if (across > 0.5 && down > 0.5) overlaps.Add($"'{a.Text}' and '{b.Text}'");
            }
        }

        Assert.Empty(overlaps);
    }
}
