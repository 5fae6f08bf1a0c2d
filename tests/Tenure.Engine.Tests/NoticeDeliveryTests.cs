using MimeKit;
using NodaTime.Testing;
using Tenure.Engine.Delivery;
using Tenure.Engine.Lifecycle;
using static Tenure.Engine.Tests.Fixtures;

namespace Tenure.Engine.Tests;

/// <summary>R9.6 end to end: notices worded at delivery in the account's language, by real SMTP, an SMS gateway and a webhook.</summary>
public sealed class NoticeDeliveryTests : MigratedSqlite
{
    [Fact]
    public async Task R9_6_a_Japanese_customer_gets_the_seed_002_reminders_and_failure_in_Japanese_by_email_and_SMS()
    {
        using var smtp = new SmtpSink();
        using var gateway = new Receiver(failures: 0);
        using var hook = new Receiver(failures: 0);
        var accountId = NewAccount(Db, "clk-test", 1000, Local("2019-03-01 09:00"), hook.Url, "0123456789abcdef", phone: "+81312345678");
        string id;
        using (var session = Db.Begin())
        {
            session.SetLocale(accountId, "ja");
            id = Buy(session, accountId, "clk-test", "ecs", "ecs.small", 1, Local("2019-03-01 10:00"), autoRenew: true).Id.Value;
            session.Commit();
        }

        // Expiring 2019-04-02 with nothing left to pay: the T-7 reminder and shortfall, then the T-3 attempt fails.
        new LifecycleEngine(Db, Rules).RunAllDue("clk-test", Local("2019-03-30 08:00"), onTime: true);
        using var dispatcher = new Dispatcher(Db, new FakeClock(Local("2019-03-30 08:00")), new DispatcherOptions
        {
            SmtpHost = "127.0.0.1", SmtpPort = smtp.Port, SmsGatewayUrl = gateway.Url, AllowPrivateNetworks = true,
        });
        Assert.Equal(9, await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken));

        var mails = smtp.Messages.Select(Parse).ToList();
        Assert.Equal(
        new[]
        {
            $"{id} の自動更新の引き落としに失敗しました（T-3）",
            $"{id} の有効期限は 2019年4月2日 です（自動更新が有効）",
            "残高不足：今後 7 日間の自動更新に 10.00 USD 足りません",
        }.Order(StringComparer.Ordinal), mails.Select(m => m.Subject ?? string.Empty).Order(StringComparer.Ordinal));
        Assert.All(mails, m =>
        {
            var alternative = Assert.IsType<MultipartAlternative>(m.Body);
            Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        });
        var reminder = mails.Single(m => m.Subject?.Contains("有効期限", StringComparison.Ordinal) == true);
        Assert.Contains("最初の引き落としは 2019年3月30日 08:00 に行われます。",
            reminder.TextBody!, StringComparison.Ordinal);
        Assert.Contains("<strong>2019年4月2日 00:00</strong>", reminder.HtmlBody!, StringComparison.Ordinal);
        var failure = mails.Single(m => m.Subject?.Contains("失敗", StringComparison.Ordinal) == true);
        Assert.Contains("クーポンと残高が 10.00 USD 不足しています。", failure.TextBody!, StringComparison.Ordinal);
        Assert.Contains("次の引き落としは 2019年4月1日 08:00 に行われます。",
            failure.TextBody!, StringComparison.Ordinal);

        var texts = gateway.Requests
            .Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("text").GetString())
            .ToList();
        Assert.Contains($"Tenure：{id} の自動更新に失敗（T-3、10.00 USD 不足）。次回：2019年4月1日 08:00", texts);

        // The webhook carries the facts and the subject in the account's language.
        var posted = hook.Requests.Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement)
            .Single(b => b.GetProperty("kind").GetString() == "autoRenewFailed");
        Assert.Equal($"{id} の自動更新の引き落としに失敗しました（T-3）", posted.GetProperty("subject").GetString());
        Assert.Equal((-3, 1000L, 1000L), (posted.GetProperty("data").GetProperty("attemptOffset").GetInt32(),
            posted.GetProperty("data").GetProperty("amount").GetInt64(), posted.GetProperty("data").GetProperty("shortfall").GetInt64()));
    }

    [Theory]
    [InlineData("zh-Hans", "{0} 将于 2019年4月2日 到期，请及时续费")]
    [InlineData("zh-Hant", "{0} 將於 2019年4月2日 到期，請及時續約")]
    [InlineData("en", "{0} expires on April 2, 2019; renew it to keep it running")]
    public async Task R9_6_an_email_received_by_SMTP_is_multipart_with_the_subject_in_the_account_language(string locale, string subject)
    {
        using var smtp = new SmtpSink();
        var accountId = NewAccount(Db, "clk-test", 5000, Local("2019-03-01 09:00"));
        string id;
        using (var session = Db.Begin())
        {
            session.SetLocale(accountId, locale);
            id = Buy(session, accountId, "clk-test", "mqtt", "mqtt.basic.1k", 1, Local("2019-03-01 10:00"), autoRenew: false).Id.Value;
            session.Commit();
        }

        new LifecycleEngine(Db, Rules).RunAllDue("clk-test", Local("2019-03-26 08:00"), onTime: true);
        using var dispatcher = new Dispatcher(Db, new FakeClock(Local("2019-03-26 08:00")),
            new DispatcherOptions { SmtpHost = "127.0.0.1", SmtpPort = smtp.Port });
        Assert.Equal(1, await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken));
        var mail = Parse(Assert.Single(smtp.Messages));
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, subject, id), mail.Subject);
        Assert.Equal(["text/plain", "text/html"], Assert.IsType<MultipartAlternative>(mail.Body).Select(p => p.ContentType.MimeType));
        Assert.False(string.IsNullOrWhiteSpace(mail.TextBody));
    }

    /// <summary>A message as the SMTP listener received it, parsed by MimeKit.</summary>
    private static MimeMessage Parse(string raw) =>
        MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw)), TestContext.Current.CancellationToken);
}
