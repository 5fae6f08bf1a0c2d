using System.Globalization;
using System.Text;
using NodaTime;
using Tenure.Domain.Instances;

namespace Tenure.Domain.Renewals;

/// <summary>The filters of the renewal list (R8.1); null means "any".</summary>
public sealed record RenewalFilter(
    string? Product = null,
    string? Region = null,
    RenewalMode? Mode = null,
    InstanceStatus? Status = null,
    int? ExpiresWithinDays = null);

/// <summary>R8.1 and R8.6: which instances the renewal list shows, and its CSV export.</summary>
public static class RenewalList
{
    /// <summary>
    /// R8.1, R3.5: an unreleased subscription instance of a renewable product that passes the
    /// filters; "expires within N days" counts calendar days from today to the expiry date
    /// (already expired instances pass).
    /// </summary>
    public static bool Shows(Rules rules, Instance instance, RenewalFilter filter, Instant now)
    {
        if (Renewal.Renewable(rules, instance) is not null) return false;
        if (filter.Product is { } product && instance.Product != product) return false;
        if (filter.Region is { } region && instance.Region != region) return false;
        if (filter.Mode is { } mode && instance.Mode != mode) return false;
        if (filter.Status is { } status && instance.Status != status) return false;
        return filter.ExpiresWithinDays is not { } days || rules.Calendar.DaysBetween(now, instance.Expiry) <= days;
    }

    /// <summary>
    /// R8.6: the list as CSV (RFC 4180), one row per instance with the columns of the console's
    /// renewal list; times in the billing zone's local time.
    /// </summary>
    public static string ToCsv(Rules rules, IEnumerable<Instance> instances, Instant now)
    {
        var csv = new StringBuilder("instanceId,product,spec,region,status,expiresAt,daysLeft,renewalMode,autoRenewMonths\r\n");
        foreach (var i in instances)
        {
            var expiry = rules.Calendar.Local(i.Expiry).ToString("uuuu-MM-dd HH:mm", CultureInfo.InvariantCulture);
            var mode = i.Mode switch { RenewalMode.Auto => "auto", RenewalMode.NoRenew => "noRenew", _ => "manual" };
            string[] cells =
            [
                i.Id.Value, i.Product, i.Spec, i.Region, i.Status.ToString().ToLowerInvariant(), expiry,
                rules.Calendar.DaysBetween(now, i.Expiry).ToString(CultureInfo.InvariantCulture), mode,
                i.Mode == RenewalMode.Auto ? i.AutoRenewMonths.ToString(CultureInfo.InvariantCulture) : string.Empty,
            ];
            csv.AppendJoin(',', cells.Select(Quote)).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Quote(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : cell;
}
