namespace Tenure.Storage;

/// <summary>An account's own settings, which no rule decides on: where its notices go.</summary>
public sealed partial class Session
{
    public Dialect Dialect => _database.Dialect;

    public void SetWebhook(string accountId, string url, string secret) =>
        Execute("UPDATE accounts SET webhook_url = @url, webhook_secret = @secret WHERE id = @accountId", new { accountId, url, secret });

    public void SetContacts(string accountId, string email, string? phone) =>
        Execute("UPDATE accounts SET email = @email, phone = @phone WHERE id = @accountId", new { accountId, email, phone });
}
