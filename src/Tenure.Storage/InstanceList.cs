using System.Text;
using Dapper;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Renewals;

namespace Tenure.Storage;

/// <summary>The instance list and the renewal list (R8.1): an <see cref="InstanceFilter"/> said in SQL.</summary>
public sealed partial class Session
{
    /// <summary>
    /// Up to <paramref name="limit"/> instances in ID order after <paramref name="after"/> that
    /// <paramref name="filter"/> shows — every field decided in SQL, so a page is one statement however many rows
    /// the filter passes over. "Expires within N days" is relative to each account's now: <paramref name="nowByClock"/>
    /// gives the now of every clock whose instances may be listed, and an instance on a clock it does not name does
    /// not pass that filter (it is not read without one).
    /// </summary>
    public List<Instance> Instances(
        Rules rules, InstanceFilter filter, IReadOnlyDictionary<string, Instant> nowByClock, string after, int limit)
    {
        var parameters = new DynamicParameters(new { after, limit });
        var where = new List<string> { "id > @after" };
        void Equal(string column, object? value)
        {
            if (value is null) return;
            where.Add($"{column} = @{column}");
            parameters.Add(column, value);
        }

        Equal("account_id", filter.Account?.Value);
        Equal("product", filter.Product);
        Equal("region", filter.Region);
        Equal("status", filter.Status?.ToString());
        Equal("mode", filter.Mode?.ToString());
        if (filter.Renewable)
        {
            // R8.1, R3.5 as Renewal.Renewable says it: not released, not PAYG, a renewable product.
            where.Add($"charge_type = '{nameof(ChargeType.Subscription)}' AND status <> '{nameof(InstanceStatus.Released)}'");
            where.Add($"product {AnyOf("renewable")}");
            parameters.Add("renewable", InstanceFilter.RenewableProducts(rules.Catalog).ToArray());
        }

        if (filter.PendingChange is { } pending) where.Add(pending ? "pending_change IS NOT NULL" : "pending_change IS NULL");
        var sql = new StringBuilder();
        if (filter.ExpiresWithinDays is not null)
        {
            if (nowByClock.Count == 0) return [];

            // Each clock's bound is an instant computed in the billing zone (InstanceFilter.ExpiresBefore), so SQL compares instants only.
            var bounds = new List<string>();
            foreach (var (clockId, now) in nowByClock)
            {
                parameters.Add($"c{bounds.Count}", clockId);
                parameters.Add($"b{bounds.Count}", Columns.Ticks(filter.ExpiresBefore(rules.Calendar, now)!.Value));
                bounds.Add($"(@c{bounds.Count}, @b{bounds.Count})");
            }

            sql.Append($"WITH bounds (clock_id, expires_before) AS (VALUES {string.Join(", ", bounds)}) ");
            where.Add("expires_at < (SELECT b.expires_before FROM bounds b WHERE b.clock_id = instances.clock_id)");
        }

        sql.Append($"SELECT {InstanceColumns} FROM instances WHERE {string.Join(" AND ", where)} ORDER BY id LIMIT @limit");
        return [.. Query<InstanceRow>(sql.ToString(), parameters).Select(r => r.ToDomain())];
    }
}
