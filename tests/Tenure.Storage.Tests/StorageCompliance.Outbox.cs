using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Instances;

namespace Tenure.Storage.Tests;

/// <summary>Notices and the outbox on each database: channels, deliveries, claims and their outcomes (R9.4, R9.7, R10.1).</summary>
public abstract partial class StorageCompliance
{
    private static Notice Reminder(string accountId, string instanceId, string atLocal) =>
        new(NoticeKind.ExpiryReminder, new AccountId(accountId), new InstanceId(instanceId), Local(atLocal),
            new NoticeData("ecs", "ecs.small", RenewalMode.Manual, null, Instant.FromUtc(2019, 4, 1, 16, 0)),
            $"{instanceId}:ExpiryReminder:2019-04-01T16:00:00Z:-7");

    [Fact]
    public void R9_4_a_notice_is_queued_once_on_each_channel_of_the_account_contacts_and_read_back_with_its_deliveries()
    {
        var (a, clock) = NewAccount("2019-03-26 08:00", 0);
        var (b, _) = NewAccount("2019-03-26 08:00", 0);
        var at = Local("2019-03-26 08:00");
        using (var session = Db.Begin())
        {
            var accounts = session.Accounts([a, b], forUpdate: true);
            session.SetContacts(a, "a@example.com", "+8613800000000"); // after the accounts were read: the notice still goes by SMS
            session.SetWebhook(a, "http://127.0.0.1:9/hook", "0123456789abcdef", at);
            var stop = Effects.None.Act(ResourceActionKind.Stop, new InstanceId("i-a"), at, "expired");
            var remindB = Effects.None.Notify(Reminder(b, "i-b", "2019-03-26 08:00"));
            var remindA = Effects.None.Notify(Reminder(a, "i-a", "2019-03-26 08:00")).Then(stop);
            session.Save(new Change(accounts[a], remindA), at, clock.Id);
            session.Save(new Change(accounts[b], remindB), at, clock.Id);
            session.Save(new Change(accounts[b], remindB), at, clock.Id); // R9.4: once
            session.Commit();
        }

        var notices = Read(s => s.Notices(null, null, null, 0, 10));
        Assert.Equal(
            ["i-a: Email, Sms, Webhook", "i-b: Email"],
            notices.Select(n => $"{n.InstanceId}: {string.Join(", ", n.Deliveries.Select(d => d.Channel))}"));
        Assert.All(notices.SelectMany(n => n.Deliveries), d => Assert.Equal(
            (DeliveryStatus.Pending, 0, (Instant?)null, (string?)null), (d.Status, d.Attempts, d.DeliveredAt, d.LastError)));
        Assert.Equal(("expiryReminder", at, "en"), (notices[0].Kind, notices[0].At, notices[0].Locale));
        Assert.Equal(new NoticeData("ecs", "ecs.small", RenewalMode.Manual, null, Instant.FromUtc(2019, 4, 1, 16, 0)), notices[0].Data);

        // Claimed, the rows are leased: a second claim within the lease gets none, one after it gets them again.
        var claimed = Read(s => s.ClaimDeliveries(at, Duration.FromMinutes(2), 10));
        Assert.Equal(["email", "sms", "webhook", "resource", "email"], claimed.Select(d => d.Channel));
        Assert.All(claimed, d => Assert.Equal(1, d.Attempt));
        Assert.Equal(
            ("+8613800000000", "http://127.0.0.1:9/hook", "0123456789abcdef"),
            (claimed[1].Phone, claimed[2].WebhookUrl, claimed[2].WebhookSecret));
        var (notice, action) = (claimed[0].Payload, claimed[3].Payload);
        Assert.Equal(
            ("expiryReminder", a, (string?)null, (string?)null, "ecs.small"),
            (notice.Kind, notice.AccountId, notice.Subject, notice.Detail, notice.NoticeData()?.Spec));
        Assert.Equal(
            ("stop", (string?)null, "expired", "i-a:stop:" + at), (action.Kind, action.AccountId, action.Detail, action.IdempotencyKey));
        Assert.Equal(claimed[3].Payload.ToJson(), claimed[3].Body);
        Assert.Equal(claimed[0].Body, claimed[4].Body.Replace("i-b", "i-a").Replace(b, a)); // built from each notice's row
        Assert.Empty(Read(s => s.ClaimDeliveries(at + Duration.FromMinutes(1), Duration.FromMinutes(2), 10)));
        var again = Read(s => s.ClaimDeliveries(at + Duration.FromMinutes(3), Duration.FromMinutes(2), 10));
        Assert.Equal([2, 2, 2, 2, 2], again.Select(d => d.Attempt));

        var done = at + Duration.FromMinutes(3);
        Write(s =>
        {
            s.RecordDelivery(again[0].Id, DeliveryStatus.Delivered, done, null, done);
            s.RecordDelivery(again[1].Id, DeliveryStatus.Dead, done, "HTTP 500 from the gateway", null);
            s.RecordDelivery(again[2].Id, DeliveryStatus.Pending, done + Duration.FromSeconds(20), "HTTP 503", null);
            s.RecordDelivery(again[4].Id, DeliveryStatus.Skipped, done, "no SMTP server is configured", null);
        });
        var read = Read(s => s.Notices(a, null, null, 0, 10)).Single().Deliveries;
        Assert.Equal(
            new (DeliveryStatus, int, Instant?, string?)[]
            {
                (DeliveryStatus.Delivered, 2, done, null), (DeliveryStatus.Dead, 2, null, "HTTP 500 from the gateway"),
                (DeliveryStatus.Pending, 2, null, "HTTP 503"),
            },
            read.Select(d => (d.Status, d.Attempts, d.DeliveredAt, d.LastError)));
        Assert.Equal(DeliveryStatus.Skipped, Read(s => s.Notices(null, "i-b", null, 0, 10)).Single().Deliveries.Single().Status);
        Assert.Empty(Read(s => s.ClaimDeliveries(done + Duration.FromSeconds(19), Duration.FromMinutes(2), 10)));
        var retried = Read(s => s.ClaimDeliveries(done + Duration.FromSeconds(20), Duration.FromMinutes(2), 10));
        Assert.Equal([("webhook", 3)], retried.Select(d => (d.Channel, d.Attempt)));

        Assert.Equal(2, Read(s => s.Notices(null, null, "expiryReminder", 0, 10)).Count);
        Assert.Empty(Read(s => s.Notices(null, null, "renewed", 0, 10)));
        Assert.Equal(["i-b"], Read(s => s.Notices(null, null, null, notices[0].Id, 10)).Select(n => n.InstanceId));
        Assert.Equal(["i-a"], Read(s => s.Notices(null, null, null, 0, 1)).Select(n => n.InstanceId));
    }

    [Fact]
    public void R10_2_a_new_webhook_secret_keeps_the_old_one_with_when_it_was_replaced_and_the_same_one_changes_nothing()
    {
        var (a, _) = NewAccount("2019-03-26 08:00", 0);
        var first = Local("2019-03-26 08:00");
        var second = first + Duration.FromHours(30);
        Write(s => s.SetWebhook(a, "https://hooks.example.com/a", "first-secret-0123", first));
        Assert.Null(Read(s => s.AccountRow(a))!.WebhookSecretPrevious); // there was no secret to keep
        Write(s => s.SetWebhook(a, "https://hooks.example.com/a", "second-secret-0123", first));
        Write(s => s.SetWebhook(a, "https://hooks.example.com/b", "second-secret-0123", second));

        var row = Read(s => s.AccountRow(a))!;
        Assert.Equal(("https://hooks.example.com/b", "second-secret-0123", "first-secret-0123", first.ToUnixTimeTicks()),
            (row.WebhookUrl, row.WebhookSecret, row.WebhookSecretPrevious, row.WebhookSecretReplacedAt));
    }

    [Fact]
    public void R10_2_a_webhook_test_is_kept_once_per_key_among_the_accounts_webhook_deliveries_with_the_receivers_status()
    {
        var (a, _) = NewAccount("2019-03-26 08:00", 0);
        var at = Local("2019-03-26 08:00");
        var ping = OutboxPayload.Ping(a, at, $"ping:{a}:k1");
        var kept = Read(s => s.SavePing(a, ping, at, DeliveryStatus.Delivered, 204, null));
        var again = Read(s => s.SavePing(a, ping, at + Duration.FromMinutes(1), DeliveryStatus.Failed, null, "refused"));
        var failed = Read(s => s.SavePing(a, OutboxPayload.Ping(a, at, $"ping:{a}:k2"), at, DeliveryStatus.Failed, 500, "HTTP 500"));

        Assert.Equal(kept, again);
        Assert.Equal(("ping", DeliveryStatus.Delivered, 1, 204, null),
            (kept.Kind, kept.Status, kept.Attempts, kept.LastStatus, kept.LastError));
        Assert.Equal([kept, failed], Read(s => s.WebhookDeliveries(a, 0, 10)));
        Assert.Equal([failed], Read(s => s.WebhookDeliveries(a, kept.Id, 10)));
        Assert.Empty(Read(s => s.ClaimDeliveries(at + Duration.FromDays(1), Duration.FromMinutes(2), 10))); // never retried
    }
}
