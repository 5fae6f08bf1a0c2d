using System.Diagnostics;
using NodaTime;
using NodaTime.Testing;
using Tenure.Engine.Delivery;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;
using static Tenure.Engine.Tests.Fixtures;

namespace Tenure.Engine.Tests;

/// <summary>R10.2: one receiver cannot hold up another; bounded time, bounded read, no redirects, public addresses only.</summary>
public sealed class DeliveryLaneTests : MigratedSqlite
{
    private static readonly Instant Due = Local("2019-04-02 00:00");

    /// <summary>An account with an instance that expired and stopped: a stop action and notices for its webhook are queued.</summary>
    private string Stopped(string? webhookUrl, string? secret = "0123456789abcdef")
    {
        var accountId = NewAccount(Db, "clk-test", 5000, Local("2019-03-01 09:00"), webhookUrl, secret);
        using (var session = Db.Begin())
        {
            Buy(session, accountId, "clk-test", "mqtt", "mqtt.basic.1k", 1, Local("2019-03-01 10:00"), autoRenew: false);
            session.Commit();
        }

        new LifecycleEngine(Db, Rules).RunAllDue("clk-test", Due, onTime: true);
        return accountId;
    }

    private List<(string Channel, string AccountId, string Status, string? Error, long? LastStatus)> Outbox()
    {
        using var session = Db.Begin();
        return [.. session.Query<(string, string, string, string?, long?)>(
            "SELECT channel, account_id, status, last_error, last_status FROM outbox ORDER BY id")];
    }

    private static async Task Until(Func<bool> done, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (!done() && clock.Elapsed < within) await Task.Delay(20, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task R10_2_a_receiver_that_never_answers_delays_another_accounts_delivery_and_resource_actions_by_at_most_2_s()
    {
        using var silent = RawServer.Silent();
        using var other = new Receiver(failures: 0);
        using var plane = new Receiver(failures: 0);
        Stopped(silent.Url); // first in the outbox: before the change, everything queued behind it
        Stopped(silent.Url);
        Stopped(other.Url);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var dispatcher = new Dispatcher(Db, new FakeClock(Due),
            new DispatcherOptions { AllowPrivateNetworks = true, ResourceWebhookUrl = plane.Url, ResourceWebhookSecret = "plane" });

        var elapsed = Stopwatch.StartNew();
        dispatcher.StartDue(stop.Token);
        await Until(() => !other.Requests.IsEmpty && plane.Requests.Count >= 3, TimeSpan.FromSeconds(5));
        elapsed.Stop();

        Assert.NotEmpty(other.Requests);
        Assert.Equal(3, plane.Requests.Count); // the three accounts' stops, the silent one's included
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(2), $"took {elapsed.Elapsed}");
        Assert.Equal(1, silent.Connections); // one lane for the silent host: its deliveries wait their turn
        await stop.CancelAsync();
        await Task.WhenAny(dispatcher.DrainAsync());
    }

    [Fact]
    public async Task R10_2_a_receiver_that_never_answers_fails_after_the_timeout_and_is_retried_later()
    {
        using var silent = RawServer.Silent();
        Stopped(silent.Url);
        using var dispatcher = new Dispatcher(Db, new FakeClock(Due),
            new DispatcherOptions { AllowPrivateNetworks = true, Timeout = Duration.FromSeconds(1) });

        var elapsed = Stopwatch.StartNew();
        await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken);

        // The configured 1 s bounds the call, not the default 10 s (the margin is for a loaded machine).
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(9), $"took {elapsed.Elapsed}");
        var webhooks = Outbox().Where(r => r.Channel == OutboxChannels.Webhook).ToList();
        Assert.NotEmpty(webhooks);
        Assert.All(webhooks, r => Assert.Equal(("pending", "no answer within 1 s"), (r.Status, r.Error)));
    }

    [Fact]
    public async Task R10_2_a_receiver_that_keeps_failing_has_its_circuit_opened_and_the_rest_of_its_lane_fails_at_once()
    {
        using var failing = new Receiver(failures: int.MaxValue);
        for (var i = 0; i < 4; i++) Stopped(failing.Url);
        using var dispatcher = new Dispatcher(Db, new FakeClock(Due), new DispatcherOptions { AllowPrivateNetworks = true });

        await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken);

        var webhooks = Outbox().Where(r => r.Channel == OutboxChannels.Webhook).ToList();
        Assert.True(webhooks.Count > 5, $"{webhooks.Count} webhook deliveries");
        Assert.Equal(5, failing.Requests.Count); // BreakAfterFailures: the others never reached the receiver
        Assert.All(webhooks, r => Assert.Equal("pending", r.Status)); // retried later, by the outbox's backoff
        Assert.Equal(webhooks.Count - 5, webhooks.Count(r => r.Error!.Contains("failed repeatedly", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task R10_2_a_redirect_is_a_failure_and_the_signed_POST_is_not_resent()
    {
        using var target = new Receiver(failures: 0);
        using var redirect = RawServer.Answering($"HTTP/1.1 307 Temporary Redirect\r\nLocation: {target.Url}\r\nContent-Length: 0\r\n\r\n");
        Stopped(redirect.Url);
        using var dispatcher = new Dispatcher(Db, new FakeClock(Due), new DispatcherOptions { AllowPrivateNetworks = true });

        await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken);

        Assert.Empty(target.Requests);
        var webhooks = Outbox().Where(r => r.Channel == OutboxChannels.Webhook).ToList();
        Assert.NotEmpty(webhooks);
        Assert.All(webhooks, r => Assert.Equal(("pending", 307L), (r.Status, r.LastStatus)));
        Assert.All(webhooks, r => Assert.StartsWith("HTTP 307", r.Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task R10_2_at_most_64_KiB_of_a_300_MB_answer_is_read()
    {
        using var endless = RawServer.Endless();
        Stopped(endless.Url);
        using var dispatcher = new Dispatcher(Db, new FakeClock(Due), new DispatcherOptions { AllowPrivateNetworks = true });

        await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken);

        var webhooks = Outbox().Where(r => r.Channel == OutboxChannels.Webhook).ToList();
        Assert.NotEmpty(webhooks);
        Assert.All(webhooks, r => Assert.Equal(("delivered", 200L), (r.Status, r.LastStatus)));
        // What the server got out is what the client read plus the sockets' buffers: far from 300 MB.
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.True(endless.BytesSent < 32L * 1024 * 1024, $"{endless.BytesSent} bytes were sent");
    }

    [Fact]
    public async Task R10_2_a_webhook_that_resolves_to_loopback_is_refused_at_delivery_after_DNS()
    {
        using var receiver = new Receiver(failures: 0);
        var port = new Uri(receiver.Url).Port;
        Stopped($"http://localhost:{port}/hook/"); // stored before the check existed, or a name that now resolves elsewhere
        using var dispatcher = new Dispatcher(Db, new FakeClock(Due), new DispatcherOptions());

        await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken);

        Assert.Empty(receiver.Requests);
        var webhooks = Outbox().Where(r => r.Channel == OutboxChannels.Webhook).ToList();
        Assert.NotEmpty(webhooks);
        Assert.All(webhooks, r => Assert.Equal("pending", r.Status));
        Assert.All(webhooks, r => Assert.Contains("loopback address", r.Error, StringComparison.Ordinal));
        Assert.All(webhooks, r => Assert.Contains("AllowPrivateNetworks", r.Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task R10_2_a_new_secret_signs_beside_the_old_one_for_24_hours()
    {
        using var receiver = new Receiver(failures: 0);
        var accountId = NewAccount(Db, "clk-test", 0, Local("2019-03-01 09:00"), receiver.Url, "old-secret-0123456");
        var replaced = Local("2019-03-02 09:00");
        AccountRow account;
        using (var session = Db.Begin())
        {
            session.SetWebhook(accountId, receiver.Url, "new-secret-0123456", replaced);
            account = session.AccountRow(accountId)!;
            session.Commit();
        }

        var clock = new FakeClock(replaced + Duration.FromHours(23));
        using var dispatcher = new Dispatcher(Db, clock, new DispatcherOptions { AllowPrivateNetworks = true });
        var during = await dispatcher.AttemptAsync(
            ClaimedDelivery.Ping(account, OutboxPayload.Ping(accountId, clock.GetCurrentInstant(), "p1")),
            TestContext.Current.CancellationToken);
        clock.Advance(Duration.FromHours(2));
        var after = await dispatcher.AttemptAsync(
            ClaimedDelivery.Ping(account, OutboxPayload.Ping(accountId, clock.GetCurrentInstant(), "p2")),
            TestContext.Current.CancellationToken);

        Assert.Equal((null, 200), (during.Error, during.HttpStatus));
        Assert.Equal((null, 200), (after.Error, after.HttpStatus));
        var requests = receiver.Requests.ToArray();
        var first = requests[0];
        Assert.Equal(
            Dispatcher.Sign("new-secret-0123456", first.Timestamp!, first.Body) + "," +
            Dispatcher.Sign("old-secret-0123456", first.Timestamp!, first.Body),
            first.Signature);
        Assert.Equal(Dispatcher.Sign("new-secret-0123456", requests[1].Timestamp!, requests[1].Body), requests[1].Signature);
        Assert.Contains("\"kind\":\"ping\"", first.Body, StringComparison.Ordinal);
    }
}
