using System.Globalization;
using System.Text;
using NodaTime;
using Tenure.Domain.Instances;

namespace Tenure.Domain.Renewals;

/// <summary>R8.6: the renewal list's CSV export. Which instances the list shows is <see cref="InstanceFilter"/> (R8.1).</summary>
public static class RenewalList
{
    /// <summary>
    /// R8.6: the list as CSV (RFC 4180), one row per instance with the columns of the console's
    /// renewal list; times in the billing zone's local time, days left from each instance's account's now.
    /// </summary>
    public static string ToCsv(Rules rules, IEnumerable<(Instance Instance, Instant Now)> rows)
    {
        var csv = new StringBuilder("instanceId,product,spec,region,status,expiresAt,daysLeft,renewalMode,autoRenewMonths\r\n");
        foreach (var (i, now) in rows)
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
