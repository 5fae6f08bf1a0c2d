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

    /// <summary>Sets the account's webhook and the secret its deliveries are signed with (R9.4, R10.2).</summary>
    public void SetWebhook(string accountId, string url, string secret)
    {
        Execute("UPDATE accounts SET webhook_url = @url, webhook_secret = @secret WHERE id = @accountId", new { accountId, url, secret });
        _contacts.Remove(accountId);
    }
}
