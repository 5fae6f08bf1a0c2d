using System.Text;
using Tenure.Storage;

namespace Tenure.Api.Tests.Edges;

/// <summary>
/// The state a request can change, as text to compare before and after it: every row of the tables rows are
/// updated in, and the row count of the ones only appended to. Left out: idempotency, where a refusal is
/// stored on purpose so that a retry replays it (R13.2).
/// </summary>
internal static class StateSnapshot
{
    private static readonly string[] Updated =
        ["test_clocks", "accounts", "api_keys", "coupons", "instances", "alarm_state", "usage_samples"];

    private static readonly string[] Appended = ["orders", "order_items", "ledger", "timeline_events", "notices", "outbox"];

    public static string Take(Database database)
    {
        var text = new StringBuilder();
        using var session = database.Begin();
        foreach (var table in Updated)
        {
            foreach (var row in session.Query<dynamic>($"SELECT * FROM {table} ORDER BY 1, 2"))
            {
                text.Append(table).Append(' ').Append((object)row).Append('\n');
            }
        }

        foreach (var table in Appended)
        {
            text.Append(table).Append(' ').Append(session.Single<long>($"SELECT COUNT(*) FROM {table}")).Append('\n');
        }

        session.Commit();
        return text.ToString();
    }

    /// <summary>The first line that differs, to say what a refused request changed.</summary>
    public static string Difference(string before, string after)
    {
        var (a, b) = (before.Split('\n'), after.Split('\n'));
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var (x, y) = (i < a.Length ? a[i] : "(none)", i < b.Length ? b[i] : "(none)");
            if (x != y) return $"{Clip(x)} -> {Clip(y)}";
        }

        return "(no difference)";
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
