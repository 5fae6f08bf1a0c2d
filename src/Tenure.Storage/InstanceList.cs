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
        if (Filtered(rules, filter, nowByClock, parameters, "id > @after") is not ({ } with, { } where)) return [];
        return [.. Query<InstanceRow>($"{with}SELECT {InstanceColumns} FROM instances WHERE {where} ORDER BY id LIMIT @limit", parameters)
            .Select(r => r.ToDomain())];
    }

    /// <summary>
    /// How many instances <paramref name="filter"/> shows in each renewal mode (seed 003's tab counts), one grouped
    /// statement under the same WHERE as <see cref="Instances"/>; a mode with none is absent.
    /// </summary>
    public Dictionary<RenewalMode, long> InstanceCountsByMode(
        Rules rules, InstanceFilter filter, IReadOnlyDictionary<string, Instant> nowByClock)
    {
        var parameters = new DynamicParameters();
        if (Filtered(rules, filter, nowByClock, parameters, "1 = 1") is not ({ } with, { } where)) return [];
        return Query<(string Mode, long Count)>($"{with}SELECT mode, COUNT(*) FROM instances WHERE {where} GROUP BY mode", parameters)
            .ToDictionary(r => Enum.Parse<RenewalMode>(r.Mode), r => r.Count);
    }

    /// <summary>The filter's WITH prefix and WHERE condition, or null when no row can pass (no clock to bound "expires within").</summary>
    private (string With, string Where)? Filtered(
        Rules rules, InstanceFilter filter, IReadOnlyDictionary<string, Instant> nowByClock, DynamicParameters parameters, string first)
    {
        var where = new List<string> { first };
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
            parameters.Add("renewable", ListOf(InstanceFilter.RenewableProducts(rules.Catalog).ToArray()));
        }

        if (filter.PendingChange is { } pending) where.Add(pending ? "pending_change IS NOT NULL" : "pending_change IS NULL");
        var sql = new StringBuilder();
        if (filter.ExpiresWithinDays is not null)
        {
            if (nowByClock.Count == 0) return null;

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

        return (sql.ToString(), string.Join(" AND ", where));
    }
}
