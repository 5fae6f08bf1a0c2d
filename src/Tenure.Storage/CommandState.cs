using Dapper;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;

namespace Tenure.Storage;

/// <summary>An account as a command sees it: its row, its money and coupons, and its now.</summary>
public sealed record AccountState(AccountRow Row, Account Account, Instant Now);

/// <summary>What a command reads before it decides, read once and locked in the engine's order: instances by ID, then accounts.</summary>
public sealed partial class Session
{
    /// <summary>The instances with these IDs that exist, in ID order; on PostgreSQL locked, in that order, for the command.</summary>
    public async Task<List<Instance>> LockInstancesAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var sorted = ids.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (sorted.Length == 0) return [];
        var rows = await QueryAsync<InstanceRow>(
            $"SELECT {InstanceColumns} FROM instances WHERE id {AnyOf("ids")} ORDER BY id{ForUpdate}",
            new { ids = ListOf(sorted) }, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(Remember)];
    }

    /// <summary>An account's instances in ID order; on PostgreSQL locked, before the account, as the engine locks them.</summary>
    public async Task<List<Instance>> LockAccountInstancesAsync(string accountId, CancellationToken cancellationToken) =>
        [.. (await QueryAsync<InstanceRow>(
            $"SELECT {InstanceColumns} FROM instances WHERE account_id = @accountId ORDER BY id{ForUpdate}",
            new { accountId }, cancellationToken).ConfigureAwait(false)).Select(Remember)];

    /// <summary>
    /// The accounts with these IDs that exist, with their coupons and their now (a test clock's frozen
    /// time, else <paramref name="systemNow"/>); on PostgreSQL locked in ID order, after any instances.
    /// </summary>
    public async Task<Dictionary<string, AccountState>> LockAccountsAsync(
        IReadOnlyCollection<string> ids, Instant systemNow, CancellationToken cancellationToken)
    {
        var sorted = ids.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (sorted.Length == 0) return [];
        var parameters = new { ids = ListOf(sorted) };
        var accounts = $"SELECT * FROM accounts WHERE id {AnyOf("ids")} ORDER BY id{ForUpdate}";
        var rows = await QueryAsync<AccountRow>(accounts, parameters, cancellationToken).ConfigureAwait(false);
        var live = $"SELECT * FROM coupons WHERE account_id {AnyOf("ids")} AND remaining > 0";
        var coupons = (await QueryAsync<CouponRow>(live, parameters, cancellationToken).ConfigureAwait(false))
            .ToLookup(c => c.AccountId, c => c.ToDomain());
        var states = new Dictionary<string, AccountState>(rows.Count);
        foreach (var row in rows)
        {
            _contacts[row.Id] = row;
            var now = row.ClockId == SystemClock ? systemNow : await ClockTimeAsync(row.ClockId, cancellationToken).ConfigureAwait(false);
            states[row.Id] = new AccountState(row, row.ToDomain(coupons[row.Id]), now);
        }

        return states;
    }

    private async Task<Instant> ClockTimeAsync(string clockId, CancellationToken cancellationToken) =>
        Columns.At((await QueryAsync<long>("SELECT frozen_time FROM test_clocks WHERE id = @clockId", new { clockId }, cancellationToken)
            .ConfigureAwait(false)).Single());

    /// <summary>The row lock of a command on PostgreSQL; SQLite's one writer holds the whole database.</summary>
    private string ForUpdate => Postgres ? " FOR UPDATE" : string.Empty;

    private async Task<List<T>> QueryAsync<T>(string sql, object parameters, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var command = new CommandDefinition(sql, parameters, Transaction, cancellationToken: cancellationToken);
        var rows = await Connection.QueryAsync<T>(command).ConfigureAwait(false);
        return rows.AsList();
    }
}
