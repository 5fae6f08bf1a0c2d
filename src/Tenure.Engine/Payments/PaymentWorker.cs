using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Tenure.Domain.Payments;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;

namespace Tenure.Engine.Payments;

/// <summary>
/// Beside the dispatcher: calls the gateway for every pending payment (R7.9). The pending row was committed before
/// (R7.11), so a call after a crash is the same call with the same Idempotency-Key. Each payment is its own lane, at
/// most <see cref="PaymentOptions.MaxConcurrency"/> at once, each call bounded by <see cref="PaymentOptions.Timeout"/>.
/// A failed call (no answer, 5xx) is retried with backoff; a decline never is; a "pending" answer is asked for
/// again (<c>GET /charges/{id}</c>) after <see cref="PaymentOptions.PollAfter"/>. Final answers settle through
/// <see cref="PaymentSettlement"/> in the writer's unit of work.
/// </summary>
public sealed class PaymentWorker(
    Database database, Writer writer, LifecycleEngine engine, IClock clock, PaymentOptions options, ILogger<PaymentWorker> logger)
    : BackgroundService
{
    private static readonly Meter Meter = new("Tenure.Engine");
    private static readonly Counter<long> Calls =
        Meter.CreateCounter<long>("tenure_payment_calls", description: "Calls made to the payment gateway");
    private static readonly Counter<long> Failures =
        Meter.CreateCounter<long>("tenure_payment_call_failures", description: "Gateway calls that got no usable answer");

    private readonly PaymentGateway _gateway = new(options, clock);

    /// <summary>Runs every call due now, side by side within the concurrency bound; returns how many were made.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        var lease = options.Timeout + options.Timeout; // past the call's own bound, so a leased row is never called twice at once
        var due = await Session.ClaimPaymentCallsAsync(database, now, now + lease, 100, cancellationToken).ConfigureAwait(false);
        using var slots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));
        await Task.WhenAll(due.Select(async payment =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await CallAsync(payment, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);
        return due.Count + await RefundAsync(now, lease, cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _gateway.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RunOnceAsync(stoppingToken).ConfigureAwait(false) > 0) continue;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database was unreachable or busy: the rows are untouched or leased, and are called again.
                logger.LogError(e, "A payment pass failed; retrying.");
            }

            await Task.Delay(options.Poll, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task CallAsync(PaymentRow payment, CancellationToken cancellationToken)
    {
        GatewayAnswer answer;
        Calls.Add(1);
        try
        {
            answer = payment.Answered
                ? await _gateway.StatusAsync(payment.Id, cancellationToken).ConfigureAwait(false)
                : await _gateway.ChargeAsync(payment, cancellationToken).ConfigureAwait(false);
        }
        catch (GatewayUnavailableException e)
        {
            Failures.Add(1);
            var wait = Backoff(payment.Attempts);
            logger.LogWarning("Payment {Payment}: {Error}; calling again in {Wait}.", payment.Id, e.Message, wait);
            var now = clock.GetCurrentInstant();
            await Session.NotePaymentCallAsync(database, payment.Id, payment.Answered, null, e.Message, now, now + wait, cancellationToken)
                .ConfigureAwait(false);
            return;
        }

        if (answer.ToResult() is not { } result)
        {
            Failures.Add(1);
            var now = clock.GetCurrentInstant();
            await Session.NotePaymentCallAsync(
                database, payment.Id, payment.Answered, null, $"unknown status '{answer.Status}'", now, now + Backoff(payment.Attempts),
                cancellationToken).ConfigureAwait(false);
            return;
        }

        if (result.Status == PaymentStatus.Pending)
        {
            var now = clock.GetCurrentInstant();
            await Session.NotePaymentCallAsync(
                database, payment.Id, true, answer.Reference, null, now, now + options.PollAfter, cancellationToken).ConfigureAwait(false);
            return;
        }

        await writer.RunAsync(
            session => PaymentSettlement.SettleAsync(
                session, engine, clock.GetCurrentInstant(), payment.Id, result, answer.Reference, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// R7.11: refunds to the payment method, each with its own Idempotency-Key, retried with backoff until the gateway takes them.
    /// </summary>
    private async Task<int> RefundAsync(Instant now, Duration lease, CancellationToken cancellationToken)
    {
        var due = await Session.ClaimRefundCallsAsync(database, now, now + lease, 100, cancellationToken).ConfigureAwait(false);
        foreach (var (id, paymentId, amount, attempts) in due)
        {
            Calls.Add(1);
            try
            {
                var answer = await _gateway.RefundAsync(paymentId, amount, id, cancellationToken).ConfigureAwait(false);
                await Session.NoteRefundCallAsync(database, id, "succeeded", answer.Reference, null, null, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (GatewayUnavailableException e)
            {
                Failures.Add(1);
                logger.LogWarning("Refund {Refund} of payment {Payment}: {Error}; sending again later.", id, paymentId, e.Message);
                var next = clock.GetCurrentInstant() + Backoff(attempts);
                await Session.NoteRefundCallAsync(database, id, "pending", null, e.Message, next, cancellationToken).ConfigureAwait(false);
            }
        }

        return due.Count;
    }

    private Duration Backoff(long attempts)
    {
        var wait = options.FirstBackoff * Math.Pow(2, Math.Min(attempts, 20));
        return wait > options.MaxBackoff ? options.MaxBackoff : wait;
    }
}
