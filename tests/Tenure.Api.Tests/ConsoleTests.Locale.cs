namespace Tenure.Api.Tests;

/// <summary>R9.6 on the instance page: its words, dates and money in ja, zh-Hans and zh-Hant, and a lifecycle picture whose
/// CJK labels still never touch.</summary>
public sealed partial class ConsoleTests
{
    [Theory]
    [InlineData("ja")]
    [InlineData("zh-Hans")]
    [InlineData("zh-Hant")]
    public async Task R9_6_the_instance_page_in_another_language_shows_no_English_and_its_lifecycle_labels_never_touch(string lang)
    {
        var (key, _, _) = await Customer("2019-03-01T02:00:00Z", 1000);
        var auto = await Buy(key, "ecs", "ecs.small", 1, autoRenew: true);
        var page = await SignIn(key, javaScript: true);

        await page.GotoAsync($"{server.BaseAddress}console/instances/{auto}?lang={lang}");
        await ConsoleLocaleTests.NoEnglish(page, lang, "instance");
        var boxes = await Boxes(page);
        AssertReadable(boxes);
        await Shot(page, $"instance-{lang}");
        var (labels, expiry, cost) = lang switch
        {
            // A CJK label is narrower than "auto-renew attempt", so the last attempt (T+14) has room for its own label.
            "ja" => (
                new[] { "購入", "自動更新の試行 4 回", "自動更新の試行", "お知らせ",
                    "リリース予告", "有効期限", "停止", "リリース" },
                "2019年4月2日 00:00 (残り 32 日)", "合計 10.00 USD"),
            "zh-Hans" => (
                ["购买", "4 次自动续费尝试", "自动续费尝试", "提醒", "释放预警", "到期", "停机", "释放"],
                "2019年4月2日 00:00 (剩余 32 天)", "共计 10.00 USD"),
            _ => (
                ["購買", "4 次自動續約嘗試", "自動續約嘗試", "提醒", "釋放預警", "到期", "停機", "釋放"],
                "2019年4月2日 00:00 (剩餘 32 天)", "共計 10.00 USD"),
        };
        Assert.Equal(labels, Texts(boxes, "label"));
        await Expect(page.GetByTestId("expiry")).ToHaveTextAsync(expiry);
        await Expect(page.GetByTestId("cost-total")).ToHaveTextAsync(cost);
    }
}
