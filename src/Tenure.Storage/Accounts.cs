using NodaTime;

namespace Tenure.Storage;

/// <summary>A coupon as the account sees it: what it was worth, what is left, until when, and for which product.</summary>
public sealed record StoredCoupon(string Id, long Amount, long Remaining, Instant ExpiresAt, string? Product);

/// <summary>Account pages, an account's coupons, and its contacts.</summary>
public sealed partial class Session
{
    /// <summary>Up to <paramref name="limit"/> accounts in ID order after <paramref name="after"/>.</summary>
    public List<AccountRow> AccountRows(string after, int limit) =>
        [.. Query<AccountRow>("SELECT * FROM accounts WHERE id > @after ORDER BY id LIMIT @limit", new { after, limit })];

    /// <summary>Every coupon of an account, used up or not, the earliest to expire first.</summary>
    public List<StoredCoupon> Coupons(string accountId) =>
        [.. Query<(string Id, long Amount, long Remaining, long ExpiresAt, string? Product)>(
                "SELECT id, amount, remaining, expires_at, product FROM coupons WHERE account_id = @accountId ORDER BY expires_at, id",
                new { accountId })
            .Select(c => new StoredCoupon(c.Id, c.Amount, c.Remaining, Columns.At(c.ExpiresAt), c.Product))];

    /// <summary>Sets the account's e-mail address and phone (no phone: no SMS, R9.4).</summary>
    public void SetContacts(string accountId, string email, string? phone)
    {
        Execute("UPDATE accounts SET email = @email, phone = @phone WHERE id = @accountId", new { accountId, email, phone });
        _contacts.Remove(accountId); // notices written later in this session go to the new contacts
    }

    /// <summary>R9.6: the language the account's notices are worded in from now on, delivered or not yet.</summary>
    public void SetLocale(string accountId, string locale) =>
        Execute("UPDATE accounts SET locale = @locale WHERE id = @accountId", new { accountId, locale });

    /// <summary>
    /// Sets the account's webhook and the secret its deliveries are signed with (R9.4, R10.2). A different secret
    /// replaces the current one, which is kept with the instant <paramref name="now"/> so that deliveries are signed
    /// with both for a while (the receiver switches without a gap); the same secret again changes nothing.
    /// </summary>
    public void SetWebhook(string accountId, string url, string secret, Instant now)
    {
        // SET expressions read the row as it was, so the old secret moves aside before the new one lands.
        Execute(
            "UPDATE accounts SET webhook_url = @url, " +
            "webhook_secret_previous = CASE WHEN webhook_secret <> @secret THEN webhook_secret ELSE webhook_secret_previous END, " +
            "webhook_secret_replaced_at = CASE WHEN webhook_secret <> @secret THEN @now ELSE webhook_secret_replaced_at END, " +
            "webhook_secret = @secret WHERE id = @accountId",
            new { accountId, url, secret, now = Columns.Ticks(now) });
        _contacts.Remove(accountId);
    }
}
