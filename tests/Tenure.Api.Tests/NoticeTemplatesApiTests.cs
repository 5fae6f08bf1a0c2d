namespace Tenure.Api.Tests;

/// <summary>R9.6 over HTTP: the account's locale, notices listed in it, and the operator's templates with refusals and previews.</summary>
public sealed class NoticeTemplatesApiTests(Server server) : IClassFixture<Server>
{
    private readonly HttpClient _operator = server.Client();

    /// <summary>
    /// An ECS instance on auto-renewal expiring 2019-03-30 00:00 local, its T-7 reminder sent; the client and the instance ID.
    /// </summary>
    private async Task<(HttpClient Client, string InstanceId)> Reminded(string locale)
    {
        var clock = (await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-01-29T02:00:00Z" })).Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "顧客", email = "c@example.com", testClockId = clock, locale });
        Assert.Equal((201, locale), (account.Status, account.Body.Str("locale")));
        await _operator.Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = 2000 });
        var client = server.Client(account.Body.Str("apiKey"));
        var bought = await client.Post("/v1/instances",
            new
            {
                product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription",
                periodMonths = 2, autoRenew = true,
            });
        Assert.Equal("2019-03-29T16:00:00Z", bought.Body.Str("expiresAt"));
        await _operator.Post($"/v1/test-clocks/{clock}/advance", new { to = "2019-03-23T00:00:00Z" });
        return (client, bought.Body.Str("id"));
    }

    [Fact]
    public async Task R9_6_notifications_are_worded_in_the_account_locale_set_at_creation_or_by_PUT()
    {
        var (client, id) = await Reminded("ja");
        var listed = await client.Get("/v1/notifications?kind=expiryReminder");
        Assert.Equal($"{id} の有効期限は 2019年3月30日 です（自動更新が有効）",
            listed.Body!["items"]![0].Str("subject"));

        var changed = await client.Send(HttpMethod.Put, "/v1/account/locale", new { locale = "zh-Hant" });
        Assert.Equal((200, "zh-Hant"), (changed.Status, changed.Body.Str("locale")));
        listed = await client.Get("/v1/notifications?kind=expiryReminder");
        Assert.Equal($"{id} 將於 2019年3月30日 到期，已開啟自動續約", listed.Body!["items"]![0].Str("subject"));

        var refused = await client.Send(HttpMethod.Put, "/v1/account/locale", new { locale = "fr" });
        Assert.Equal((400, "locale must be one of en, zh-Hans, zh-Hant, ja."),
            (refused.Status, refused.Body!["errors"]!["locale"]![0]!.GetValue<string>()));
        Assert.Equal("zh-Hant", (await client.Get("/v1/account")).Body.Str("locale"));
        Assert.Equal(400, (await _operator.Post("/v1/accounts", new { name = "X", email = "x@example.com", locale = "de" })).Status);
    }

    [Fact]
    public async Task R9_6_a_template_that_does_not_parse_or_names_an_unknown_field_is_refused_with_its_line_and_column()
    {
        var unknown = await _operator.Send(HttpMethod.Put, "/v1/notice-templates/released/zh-Hans",
            new
            {
                subject = "{{ instanceId }}", html = "<p>{{ instanceId }}</p>", text = "第一行\n已释放 {{ customerName }}", sms = "x",
            });
        Assert.Equal((400, "2", "8"), (unknown.Status, unknown.Body.Str("line"), unknown.Body.Str("column")));
        Assert.StartsWith("text: line 2, column 8: 'customerName' is not a notice field",
            unknown.Body!["errors"]!["text"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        var broken = await _operator.Send(HttpMethod.Put, "/v1/notice-templates/released/zh-Hans",
            new { subject = "{% if lastAttempt %}never closed", html = "x", text = "x", sms = "x" });
        Assert.Equal((400, "1"), (broken.Status, broken.Body.Str("line")));
        Assert.NotNull(broken.Body!["errors"]!["subject"]);

        // Nothing was saved: the default is still the template.
        var current = await _operator.Get("/v1/notice-templates/released/zh-Hans");
        Assert.Equal(("false", "{{ instanceId }} 已释放"), (current.Body.Str("custom"), current.Body.Str("subject")));
        Assert.Equal(404, (await _operator.Get("/v1/notice-templates/released/fr")).Status);
        Assert.Equal(401, (await server.Client(null).Get("/v1/notice-templates")).Status);
    }

    [Fact]
    public async Task R9_6_an_operator_replaces_previews_and_restores_a_template_and_notices_follow_it()
    {
        var all = await _operator.Get("/v1/notice-templates");
        // every kind × 4 locales
        Assert.Equal(Enum.GetValues<Domain.Instances.NoticeKind>().Length * 4, all.Body!["items"]!.AsArray().Count);

        var saved = await _operator.Send(HttpMethod.Put, "/v1/notice-templates/expiryReminder/zh-Hans", new
        {
            subject = "【提醒】{{ instanceId }} 于 {{ expiresOn }} 到期",
            html = "<p>{{ instanceId }} 首次扣款 {{ firstAttemptAt }}</p>",
            text = "{{ instanceId }} 首次扣款 {{ firstAttemptAt }}",
            sms = "{{ instanceId }} {{ expiresOn }}",
        });
        Assert.Equal((200, "true"), (saved.Status, saved.Body.Str("custom")));

        var preview = await _operator.Post("/v1/notice-templates/expiryReminder/zh-Hans/preview", new { });
        Assert.Equal("【提醒】i-bp1sample 于 2019年3月30日 到期", preview.Body.Str("subject"));
        Assert.Equal("i-bp1sample 首次扣款 2019年3月27日 08:00", preview.Body.Str("text"));
        var draft = await _operator.Post("/v1/notice-templates/expiryReminder/zh-Hans/preview", new
        {
            template = new { subject = "{{ shortfall }}", html = "", text = "", sms = "" },
            sample = new
            {
                product = "ecs", spec = "ecs.small", renewalMode = "auto", autoRenewMonths = 1, expiresAt = "2019-03-29T16:00:00Z",
                shortfall = 12345, currency = "USD",
            },
        });
        Assert.Equal("123.45 USD", draft.Body.Str("subject"));

        var (client, id) = await Reminded("zh-Hans");
        var listed = await client.Get("/v1/notifications?kind=expiryReminder");
        Assert.Equal($"【提醒】{id} 于 2019年3月30日 到期", listed.Body!["items"]![0].Str("subject"));

        var restored = await _operator.Send(HttpMethod.Delete, "/v1/notice-templates/expiryReminder/zh-Hans");
        Assert.Equal((200, "false"), (restored.Status, restored.Body.Str("custom")));
        listed = await client.Get("/v1/notifications?kind=expiryReminder");
        Assert.Equal($"{id} 将于 2019年3月30日 到期，已开启自动续费", listed.Body!["items"]![0].Str("subject"));
    }
}
