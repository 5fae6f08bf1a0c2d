using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Instances;

namespace Tenure.Storage.Tests;

/// <summary>The one payload shape of the outbox, as receivers get it: the bodies they have always been sent, field for field.</summary>
public sealed class OutboxPayloadTests
{
    private static readonly Instant At = Instant.FromUtc(2019, 3, 26, 0, 0);

    [Fact]
    public void R9_6_a_notice_payload_has_kind_account_instance_at_idempotency_key_and_its_data_without_words()
    {
        var data = new NoticeData("ecs", "ecs.small", RenewalMode.Manual, null, Instant.FromUtc(2019, 4, 1, 16, 0));
        var json = OutboxPayload.Notice("expiryReminder", "acc-1", "i-1", At, "i-1:ExpiryReminder:2019-04-01T16:00:00Z:-7",
            NoticeJson.Write(data)).ToJson();
        Assert.Equal(
            ("{'kind':'expiryReminder','accountId':'acc-1','instanceId':'i-1','at':'2019-03-26T00:00:00Z'," +
                "'idempotencyKey':'i-1:ExpiryReminder:2019-04-01T16:00:00Z:-7','data':{'product':'ecs','spec':'ecs.small'," +
                "'renewalMode':'manual','expiresAt':'2019-04-01T16:00:00Z'}}").Replace('\'', '"'),
            json);
        Assert.Equal(json, OutboxPayload.FromJson(json).ToJson());
        Assert.Equal(data, OutboxPayload.FromJson(json).NoticeData());
    }

    [Fact]
    public void R10_1_a_resource_action_payload_has_kind_instance_at_idempotency_key_and_detail()
    {
        var action = Effects.None.Act(ResourceActionKind.Stop, new InstanceId("i-1"), At, "expired").Actions.Single();
        var json = OutboxPayload.Of(action).ToJson();
        Assert.Equal(
            """{"kind":"stop","instanceId":"i-1","at":"2019-03-26T00:00:00Z","idempotencyKey":"i-1:stop:2019-03-26T00""" +
            """:00:00Z","detail":"expired"}""",
            json);
        Assert.Equal(OutboxPayload.Of(action), OutboxPayload.FromJson(json));
    }
}
