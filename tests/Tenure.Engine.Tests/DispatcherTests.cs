using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using NodaTime;
using NodaTime.Testing;
using Tenure.Engine.Delivery;
using Tenure.Engine.Lifecycle;
using static Tenure.Engine.Tests.Fixtures;

namespace Tenure.Engine.Tests;

/// <summary>A real HTTP receiver on loopback that fails its first <c>failures</c> requests.</summary>
internal sealed class Receiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _failuresLeft;

    public Receiver(int failures)
    {
        _failuresLeft = failures;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/hook/";
        }

        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<(string Body, string? Timestamp, string? Signature, string? Key, int Status)> Requests { get; } = new();

    public void Dispose()
    {
        // Close alone: Close after Stop binds the port again to remove the prefix, and fails when another test took it meanwhile.
        _listener.Close();
        _ = _loop.Exception;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var status = Interlocked.Decrement(ref _failuresLeft) >= 0 ? 500 : 200;
            var headers = context.Request.Headers;
            Requests.Enqueue((body, headers[Dispatcher.TimestampHeader], headers[Dispatcher.SignatureHeader],
                headers[Dispatcher.IdempotencyHeader], status));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }
}

public sealed class DispatcherTests : MigratedSqlite
{
    /// <summary>An account whose T-7 reminder has been written to the outbox.</summary>
    private string Reminded(string webhookUrl, string secret)
    {
        var accountId = NewAccount(Db, "clk-test", 5000, Local("2019-03-01 09:00"), webhookUrl, secret);
        using (var session = Db.Begin())
        {
            Buy(session, accountId, "clk-test", "mqtt", "mqtt.basic.1k", 1, Local("2019-03-01 10:00"), autoRenew: false);
            session.Commit();
        }

        Assert.Equal(1, new LifecycleEngine(Db, Rules).RunAllDue("clk-test", Local("2019-03-26 08:00"), onTime: true));
        return accountId;
    }

    [Fact]
    public async Task R9_4_a_webhook_that_fails_three_times_gets_the_fourth_with_the_same_key_and_a_valid_signature()
    {
        using var receiver = new Receiver(failures: 3);
        Reminded(receiver.Url, "s3cret");
        var clock = new FakeClock(Local("2019-03-26 08:00"));
        using var dispatcher = new Dispatcher(Db, clock,
            new DispatcherOptions { AllowPrivateNetworks = true, FirstBackoff = Duration.FromSeconds(10) });

        // The webhook, and the email (no SMTP: skipped).
        Assert.Equal(2, await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken));
        foreach (var wait in new[] { 10, 20, 40 })
        {
            clock.Advance(Duration.FromSeconds(wait - 1));
            Assert.Equal(0, await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken));
            clock.Advance(Duration.FromSeconds(1));
            Assert.Equal(1, await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken));
        }

        var requests = receiver.Requests.ToArray();
        Assert.Equal([500, 500, 500, 200], requests.Select(r => r.Status));
        Assert.Single(requests.Select(r => r.Key).Distinct());
        Assert.EndsWith(":ExpiryReminder:2019-04-01T16:00:00Z:-7:webhook", requests[0].Key, StringComparison.Ordinal);
        var last = requests[^1];
        Assert.Equal(Dispatcher.Sign("s3cret", last.Timestamp!, last.Body), last.Signature);
        Assert.Contains("\"kind\":\"expiryReminder\"", last.Body, StringComparison.Ordinal);

        using var session = Db.Begin();
        var rows = session.Query<(string Channel, string Status, long Attempts)>(
            "SELECT channel, status, attempts FROM outbox ORDER BY channel").ToList();
        Assert.Equal([("email", "skipped", 1L), ("webhook", "delivered", 4L)], rows);
    }

    [Fact]
    public async Task R10_1_resource_actions_are_signed_and_dead_lettered_after_the_configured_tries()
    {
        using var receiver = new Receiver(failures: int.MaxValue);
        var accountId = NewAccount(Db, "clk-test", 5000, Local("2019-03-01 09:00"));
        using (var session = Db.Begin())
        {
            Buy(session, accountId, "clk-test", "mqtt", "mqtt.basic.1k", 1, Local("2019-03-01 10:00"), autoRenew: false);
            session.Commit();
        }

        new LifecycleEngine(Db, Rules).RunAllDue("clk-test", Local("2019-04-02 00:00"), onTime: true);
        var clock = new FakeClock(Local("2019-04-02 00:00"));
        using var dispatcher = new Dispatcher(Db, clock,
            new DispatcherOptions { ResourceWebhookUrl = receiver.Url, ResourceWebhookSecret = "plane", MaxAttempts = 2 });
        await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken);
        clock.Advance(Duration.FromMinutes(5));
        await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken);

        var stops = receiver.Requests.ToArray();
        Assert.Equal(2, stops.Length);
        Assert.All(stops, r => Assert.Equal(Dispatcher.Sign("plane", r.Timestamp!, r.Body), r.Signature));
        Assert.Contains("\"kind\":\"stop\"", stops[0].Body, StringComparison.Ordinal);
        using var session2 = Db.Begin();
        Assert.Equal("dead", session2.Single<string>("SELECT status FROM outbox WHERE channel = 'resource'"));
    }

    [Fact]
    public async Task R9_4_email_goes_through_SMTP_and_SMS_through_the_gateway()
    {
        using var smtp = new SmtpSink();
        using var gateway = new Receiver(failures: 0);
        var accountId = NewAccount(Db, "clk-test", 5000, Local("2019-03-01 09:00"), phone: "+8613800000000");
        using (var session = Db.Begin())
        {
            Buy(session, accountId, "clk-test", "mqtt", "mqtt.basic.1k", 1, Local("2019-03-01 10:00"), autoRenew: false);
            session.Commit();
        }

        new LifecycleEngine(Db, Rules).RunAllDue("clk-test", Local("2019-03-26 08:00"), onTime: true);
        using var dispatcher = new Dispatcher(Db, new FakeClock(Local("2019-03-26 08:00")),
            new DispatcherOptions
            {
                SmtpHost = "127.0.0.1", SmtpPort = smtp.Port, SmtpFrom = "billing@example.com", SmsGatewayUrl = gateway.Url,
            });
        Assert.Equal(2, await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken));

        var mail = Assert.Single(smtp.Messages);
        Assert.Contains("To: ops@example.com", mail, StringComparison.Ordinal);
        Assert.Contains("expires on April 2, 2019", mail, StringComparison.Ordinal);
        var sms = Assert.Single(gateway.Requests);
        using var json = System.Text.Json.JsonDocument.Parse(sms.Body);
        Assert.Equal("+8613800000000", json.RootElement.GetProperty("to").GetString());
        Assert.Contains("expires April 2, 2019", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        using var session2 = Db.Begin();
        Assert.Equal(["delivered", "delivered"], session2.Query<string>("SELECT status FROM outbox ORDER BY channel"));
    }

    [Fact]
    public async Task R9_4_an_undeliverable_address_fails_its_own_delivery_and_the_rest_go_on()
    {
        using var smtp = new SmtpSink();
        using var receiver = new Receiver(failures: 0);
        var accountId = NewAccount(Db, "clk-test", 5000, Local("2019-03-01 09:00"), receiver.Url, "s3cret");
        using (var session = Db.Begin())
        {
            session.Execute("UPDATE accounts SET email = '@' WHERE id = @accountId", new { accountId });
            Buy(session, accountId, "clk-test", "mqtt", "mqtt.basic.1k", 1, Local("2019-03-01 10:00"), autoRenew: false);
            session.Commit();
        }

        new LifecycleEngine(Db, Rules).RunAllDue("clk-test", Local("2019-03-26 08:00"), onTime: true);
        using var dispatcher = new Dispatcher(Db, new FakeClock(Local("2019-03-26 08:00")),
            new DispatcherOptions { AllowPrivateNetworks = true, SmtpHost = "127.0.0.1", SmtpPort = smtp.Port });
        Assert.Equal(2, await dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken));
        using var session2 = Db.Begin();
        var rows = session2.Query<(string Channel, string Status, string? Error)>(
            "SELECT channel, status, last_error FROM outbox ORDER BY channel").ToList();
        Assert.Equal(("email", "pending"), (rows[0].Channel, rows[0].Status));
        Assert.Contains("ParseException", rows[0].Error, StringComparison.Ordinal);
        Assert.Equal(("webhook", "delivered"), (rows[1].Channel, rows[1].Status));
    }
}
