using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Payments;
using Tenure.Domain.Purchases;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;
using DomainLifecycle = Tenure.Domain.Lifecycle.Lifecycle;

namespace Tenure.Engine.Payments;

/// <summary>What settling a payment came to: the payment as stored afterwards, whether this call settled it, and its change.</summary>
public sealed record Settled(PaymentRow Payment, bool Now, Change? Change = null);

/// <summary>
/// R7.9–R7.11: the second decision of a payment, inside a command's unit of work: the payment row is locked (and must
/// still be pending, so a result that arrives twice — callback and poll, or a replay after a crash — settles once), then
/// its instance and account in the engine's order; due events run first, then the domain decides at the account's now
/// (renew from E, or the failed attempt), and the change and the payment's outcome are written together.
/// A purchase's payment (R2) has no instance yet: its account alone is locked, and the purchase is bought or not.
/// Both the signed result route and the payment worker settle through here.
/// </summary>
public static class PaymentSettlement
{
    /// <summary>
    /// Null when there is no such payment; <see cref="Settled.Now"/> false when it was settled before (or the answer is still pending).
    /// </summary>
    public static async Task<Settled?> SettleAsync(
        Session session, LifecycleEngine engine, Instant systemNow, string paymentId, PaymentResult result, string? reference,
        CancellationToken cancellationToken)
    {
        var payment = await session.LockPaymentAsync(paymentId, cancellationToken).ConfigureAwait(false);
        if (payment is null) return null;
        if (payment.Status != "pending" || result.Status == PaymentStatus.Pending) return new Settled(payment, false);
        if (payment.PurchaseIntent is { } purchase)
        {
            // R2: a purchase's instance does not exist yet: only its account is locked, and the domain buys or declines.
            var buyer = (await session.LockAccountsAsync([payment.AccountId], systemNow, cancellationToken).ConfigureAwait(false))
                [payment.AccountId];
            var at = Instant.Max(buyer.Now, payment.At);
            var bought = Purchase.Settle(engine.Rules, buyer.Account, purchase, payment.Amount, result, at);
            return Write(session, payment, result, reference, bought, at, buyer.Row.ClockId);
        }

        var locked = await session.LockInstancesAsync(payment.Instances, cancellationToken).ConfigureAwait(false);
        var states = await session.LockAccountsAsync([payment.AccountId], systemNow, cancellationToken).ConfigureAwait(false);
        var state = states[payment.AccountId];
        var accounts = new Dictionary<string, Account> { [payment.AccountId] = state.Account };
        var current = engine.CatchUp(session, locked, accounts, state.Row.ClockId, state.Now);
        var instances = payment.Instances.Select(id => current.Single(i => i.Id.Value == id)).ToList(); // the payment's own first
        await session.FlushAsync(cancellationToken).ConfigureAwait(false);
        // A test clock moves only after its advance ran the due events, so a payment its attempt asked for can be answered
        // while the clock still reads the time before: the result is never decided earlier than it was asked.
        var now = Instant.Max(state.Now, payment.At);
        var change = DomainLifecycle.SettlePayment(engine.Rules, instances, accounts[payment.AccountId], result, now);
        return Write(session, payment, result, reference, change, now, state.Row.ClockId);
    }

    /// <summary>The payment's outcome and the change its result decided, written together.</summary>
    private static Settled Write(
        Session session, PaymentRow payment, PaymentResult result, string? reference, Change? change, Instant now, string clockId)
    {
        // A success the domain could not apply is refunded whole (R7.11): "refunded", and its refund row is written with the change.
        var status = result.Status == PaymentStatus.Declined ? "declined" : change?.Effects.Order is not null ? "succeeded" : "refunded";
        session.SettlePayment(payment.Id, status, result.Status == PaymentStatus.Declined ? result.Why : null, reference, null, now);
        if (change is not null)
        {
            session.Save(change, now, clockId);
            if (change.Effects.Order is not null) session.PaidOrder(payment.Id, session.LastOrderId!);
        }

        return new Settled(session.Payment(payment.Id)!, true, change);
    }
}
