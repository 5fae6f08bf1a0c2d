using System.Text.Json;
using Microsoft.Playwright;

namespace Tenure.Api.Tests;

/// <summary>The console's pictures, measured in Chromium with JavaScript on: labels that never touch, axes with units.</summary>
public sealed partial class ConsoleTests
{
    /// <summary>A text's box in the SVG's own pixels, as Chromium drew it.</summary>
    private sealed record Box(string Text, string Class, double Left, double Top, double Right, double Bottom, double Width, double Height);

    [Fact]
    public async Task R4_3_the_lifecycle_picture_of_seed_002s_five_attempts_and_of_20_payg_charges_has_no_label_on_another_or_outside()
    {
        var (key, _, clockId) = await Customer("2019-03-01T02:00:00Z", 1000);
        var auto = await Buy(key, "ecs", "ecs.small", 1, autoRenew: true); // expires 2019-04-02 00:00, the balance now 0: every attempt fails
        var page = await SignIn(key, javaScript: true);

        await page.GotoAsync($"{server.BaseAddress}console/instances/{auto}");
        var planned = await Boxes(page);
        AssertReadable(planned);
        Assert.Equal(["purchase", "5 auto-renew attempts", "reminder", "release warning", "expiry", "stop", "release"], Texts(planned, "label"));
        Assert.Equal("2019-03-30 08:00: auto renew attempt (planned)\n2019-04-01 08:00: auto renew attempt (planned)\n2019-04-02 08:00: auto renew attempt (planned)\n"
            + "2019-04-08 08:00: auto renew attempt (planned)\n2019-04-16 08:00: auto renew attempt (planned)",
            await page.GetByTestId("timeline").Locator("g", new() { Has = page.Locator("text.label", new() { HasText = "5 auto-renew attempts" }) }).Locator("title").TextContentAsync());
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
        var bought = await server.Client(paygKey).Post("/v1/instances", new { product = "rocketmq", region = "cn-hangzhou", spec = "rocketmq.standard", chargeType = "payg" });
        Assert.Equal(201, bought.Status);
        var payg = await SignIn(paygKey, javaScript: true);
        await payg.GotoAsync($"{server.BaseAddress}console/instances/{bought.Body.Str("id")}");
        var charges = await Boxes(payg);
        AssertReadable(charges);
        Assert.Equal(["purchase", "20 PAYG charges"], Texts(charges, "label"));
        await Shot(payg, "timeline-payg-charges");
    }

    /// <summary>Every text of the lifecycle picture, and the picture itself as the last box.</summary>
    private static async Task<List<Box>> Boxes(IPage page)
    {
        var json = await page.GetByTestId("timeline").EvaluateAsync<JsonElement>("""
            svg => {
              const frame = svg.getBoundingClientRect();
              const box = (text, cls, r) => ({ text, cls, left: r.left - frame.left, top: r.top - frame.top, right: r.right - frame.left,
                bottom: r.bottom - frame.top, width: r.width, height: r.height });
              return [...svg.querySelectorAll('text')].map(t => box(t.textContent, t.getAttribute('class') ?? '', t.getBoundingClientRect()))
                .concat([box('(picture)', 'svg', frame)]);
            }
            """);
        return [.. json.EnumerateArray().Select(b => new Box(b.GetProperty("text").GetString()!, b.GetProperty("cls").GetString()!,
            b.GetProperty("left").GetDouble(), b.GetProperty("top").GetDouble(), b.GetProperty("right").GetDouble(), b.GetProperty("bottom").GetDouble(),
            b.GetProperty("width").GetDouble(), b.GetProperty("height").GetDouble()))];
    }

    private static List<string> Texts(List<Box> boxes, string cls) => [.. boxes.Where(b => b.Class == cls).Select(b => b.Text)];

    /// <summary>No text outside the picture, and no two texts on one another (touching edges allowed).</summary>
    private static void AssertReadable(List<Box> boxes)
    {
        var picture = boxes[^1];
        var texts = boxes.Take(boxes.Count - 1).ToList();
        Assert.All(texts, t => Assert.True(t.Left >= 0 && t.Top >= 0 && t.Right <= picture.Width && t.Bottom <= picture.Height,
            $"'{t.Text}' at ({t.Left:F1}, {t.Top:F1})–({t.Right:F1}, {t.Bottom:F1}) leaves the {picture.Width:F0}×{picture.Height:F0} picture"));
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
