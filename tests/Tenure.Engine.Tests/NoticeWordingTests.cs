using System.Text;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Time;
using Tenure.Engine.Notices;

namespace Tenure.Engine.Tests;

/// <summary>R9.6: every notice kind worded in every locale by its default template, and templates refused with their position.</summary>
public sealed class NoticeWordingTests
{
    private static readonly BillingCalendar Calendar = BillingCalendar.Default;
    private static readonly NoticeRenderer Renderer = new(Calendar);

    /// <summary>
    /// The seeds' example (an ECS instance expiring 2019-03-30, first attempt 2019-03-27 08:00, 120.00 USD due and 35.00 USD
    /// short, released 2019-04-30) in every kind, against NoticeFixtures/{locale}.txt. On a difference the words as they are
    /// now are written to notice-fixtures-actual beside the test assembly, to compare.
    /// </summary>
    [Theory]
    [InlineData("en")]
    [InlineData("zh-Hans")]
    [InlineData("zh-Hant")]
    [InlineData("ja")]
    public void R9_6_every_kind_is_worded_in_each_locale_as_the_fixture_says(string locale)
    {
        var actual = Worded(locale);
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "NoticeFixtures", $"{locale}.txt")).ReplaceLineEndings("\n");
        if (actual != expected)
        {
            var folder = Path.Combine(AppContext.BaseDirectory, "notice-fixtures-actual");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"{locale}.txt"), actual);
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void R9_6_the_seed_002_reminder_and_failure_read_in_Japanese_with_exact_dates_and_amounts()
    {
        var reminder = Word(NoticeKind.ExpiryReminder, "ja");
        Assert.Equal("i-bp1sample の有効期限は 2019年3月30日 です（自動更新が有効）", reminder.Subject);
        Assert.Contains("最初の引き落としは 2019年3月27日 08:00 に行われます。",
            reminder.Text, StringComparison.Ordinal);

        var last = Word(NoticeKind.AutoRenewFailed, "ja", d => d with { AttemptOffset = 14, LastAttempt = true, NextAttemptAt = null });
        Assert.Equal("i-bp1sample の自動更新の引き落としに失敗しました（T+14）：最後の試行", last.Subject);
        Assert.Contains("クーポンと残高が 35.00 USD 不足しています。", last.Text, StringComparison.Ordinal);
        Assert.Contains("これが最後の引き落としの試行です。", last.Text, StringComparison.Ordinal);

        var release = Word(NoticeKind.ReleaseWarning, "zh-Hant");
        Assert.Equal("i-bp1sample 將於 2019年4月30日 00:00 釋放", release.Subject);
        Assert.Equal(
            "The auto-renewal attempt at T-3 to charge USD 120.00 for i-bp1sample failed: coupons and balance fall USD 35.00 short.",
            Word(NoticeKind.AutoRenewFailed, "en").Text.Split('\n')[0]);
    }

    [Fact]
    public void R9_6_a_declined_payment_names_its_reason_and_values_are_escaped_in_HTML_only()
    {
        var declined = Word(NoticeKind.AutoRenewFailed, "zh-Hans", d => d with { DeclineReason = "card <expired>" });
        Assert.Contains("支付方式被拒绝（card <expired>）。", declined.Text, StringComparison.Ordinal);
        Assert.Contains("支付方式被拒绝（card &lt;expired&gt;）。", declined.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", 160)]
    [InlineData("zh-Hans", 70)]
    [InlineData("zh-Hant", 70)]
    [InlineData("ja", 70)]
    public void R9_6_each_default_SMS_fits_in_one_message(string locale, int limit)
    {
        // One SMS holds 160 GSM characters, or 70 when it needs UCS-2 (any Chinese or Japanese character).
        foreach (var kind in Enum.GetValues<NoticeKind>())
        {
            var sms = Word(kind, locale).Sms;
            Assert.True(sms.Length <= limit, $"{kind} in {locale} is {sms.Length} characters: {sms}");
        }
    }

    [Fact]
    public void R9_6_a_template_that_does_not_parse_is_refused_with_its_line_and_column()
    {
        var (template, error) = NoticeTemplate.Parse(
            new NoticeTexts("{{ instanceId }}", "<p>ok</p>", "Line one\n{% if lastAttempt %}never closed", "x"));
        Assert.Null(template);
        Assert.Equal(("text", 2), (error!.Part, error.Line));
        Assert.True(error.Column >= 1, error.ToString());
    }

    [Fact]
    public void R9_6_a_template_naming_an_unknown_field_is_refused_with_its_line_and_column()
    {
        var (template, error) = NoticeTemplate.Parse(
            new NoticeTexts("{{ instanceId }}", "<p>\n  {{ expiresOn }} {{ customerName | upcase }}</p>", "t", "s"));
        Assert.Null(template);
        Assert.Equal(("html", 2, 22), (error!.Part, error.Line, error.Column));
        Assert.StartsWith("'customerName' is not a notice field", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void R9_6_names_a_template_makes_itself_are_not_unknown()
    {
        var (template, error) = NoticeTemplate.Parse(new NoticeTexts(
            "{% assign who = instanceId | upcase %}{{ who }}", "{% capture when %}{{ expiresOn }}{% endcapture %}{{ when }}",
            "{% for i in (1..2) %}{{ i }}{{ forloop.index }}{% endfor %}", "{{ product }}"));
        Assert.Null(error);
        Assert.NotNull(template);
    }

    private static NoticeTexts Word(NoticeKind kind, string locale, Func<NoticeData, NoticeData>? change = null)
    {
        var data = NoticeSamples.Data(kind, Calendar, "USD");
        return Renderer.Render(NoticeTemplates.Defaults, NoticeSamples.Subject(kind, Calendar), change?.Invoke(data) ?? data, locale);
    }

    private static string Worded(string locale)
    {
        var text = new StringBuilder();
        foreach (var kind in Enum.GetValues<NoticeKind>())
        {
            var words = Word(kind, locale);
            text.Append("== ").Append(kind).Append('\n')
                .Append("subject: ").Append(words.Subject).Append('\n')
                .Append("sms: ").Append(words.Sms).Append('\n')
                .Append("text:\n").Append(words.Text).Append('\n')
                .Append("html:\n").Append(words.Html.Trim()).Append("\n\n");
        }

        return text.ToString();
    }

    [Fact]
    public void R9_6_every_kind_has_a_default_in_every_locale()
    {
        Assert.Equal(Enum.GetValues<NoticeKind>().Length * Locales.All.Length, NoticeTemplates.Defaults.All.Count());
    }
}
