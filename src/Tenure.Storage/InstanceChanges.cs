using System.Collections.Concurrent;

namespace Tenure.Storage;

/// <summary>
/// Writes only what a decision changed in an <c>instances</c> row that this session read: an UPDATE of the columns
/// whose values differ from the row as read, nothing when none does. A renewal touches six of the 29 columns; the
/// full-row upsert rewrote them all (with their JSON text) and, on PostgreSQL, checked the unique index first
/// (docs/benchmarks.md). Rows with the same set of changed columns share one statement.
/// </summary>
internal static class InstanceChanges
{
    /// <summary>The columns that never change after a purchase.</summary>
    internal static readonly string[] Fixed = ["id", "account_id", "clock_id", "product", "region", "created_at"];

    /// <summary>
    /// The columns a decision may change (the identity, owner, clock, product, region and creation never do), each compared
    /// as its type: a value is boxed only when its column changed.
    /// </summary>
    private static readonly Column[] Mutable =
    [
        Text("edition", r => r.Edition),
        Text("spec", r => r.Spec),
        Text("charge_type", r => r.ChargeType),
        Text("status", r => r.Status),
        Number("expires_at", r => r.ExpiresAt),
        Text("mode", r => r.Mode),
        Number("auto_renew_months", r => r.AutoRenewMonths),
        Text("post_expiration_action", r => r.PostExpirationAction),
        Text("post_release_action", r => r.PostReleaseAction),
        Text("pending_change", r => r.PendingChange),
        Text("components", r => r.Components),
        Number("cycle_start", r => r.CycleStart),
        Number("cycle_cash", r => r.CycleCash),
        Text("ahead_cycles", r => r.AheadCycles),
        Number("stopped_at", r => r.StoppedAt),
        Text("stop_cause", r => r.StopCause),
        Number("released_at", r => r.ReleasedAt),
        Number("payg_billed_through", r => r.PaygBilledThrough),
        Number("progress_at", r => r.ProgressAt),
        Number("progress_rank", r => r.ProgressRank),
        Text("alarms", r => r.Alarms),
        Number("next_due_at", r => r.NextDueAt),
        Text("next_due_kind", r => r.NextDueKind),
        Text("payment_pending", r => r.PaymentPending),
        Number("cycle_method", r => r.CycleMethod),
        Number("terms_digest", r => r.TermsDigest),
    ];

    private sealed record Column(string Name, Func<InstanceRow, InstanceRow, bool> Same, Func<InstanceRow, object> Value);

    private static Column Text(string name, Func<InstanceRow, string?> get) =>
        new(name, (a, b) => string.Equals(get(a), get(b), StringComparison.Ordinal), r => (object?)get(r) ?? RowBuffer.TypedNull.Text);

    private static Column Number(string name, Func<InstanceRow, long?> get) =>
        new(name, (a, b) => get(a) == get(b), r => (object?)get(r) ?? RowBuffer.TypedNull.Int64);

    /// <summary>The names of <see cref="Mutable"/>, so a test can hold them against every column of the row.</summary>
    internal static IEnumerable<string> MutableNames => Mutable.Select(c => c.Name);

    /// <summary>Per set of changed columns (a bit per column of <see cref="Mutable"/>): the statement's parts for both dialects.</summary>
    private static readonly ConcurrentDictionary<int, (string Head, string Tail, string Sqlite)> Statements = new();

    /// <summary>
    /// Buffers the UPDATE that turns <paramref name="was"/> into <paramref name="now"/> (the same instance); nothing when they are equal.
    /// </summary>
    public static void Buffer(RowBuffer rows, InstanceRow was, InstanceRow now)
    {
        var changed = 0;
        var count = 0;
        for (var c = 0; c < Mutable.Length; c++)
        {
            if (Mutable[c].Same(was, now)) continue;
            changed |= 1 << c;
            count++;
        }

        if (changed == 0) return;
        var values = new object?[count + 1];
        values[0] = now.Id;
        var at = 1;
        for (var c = 0; c < Mutable.Length; c++)
        {
            if ((changed & (1 << c)) != 0) values[at++] = Mutable[c].Value(now);
        }

        var (head, tail, sqlite) = Statements.GetOrAdd(changed, Statement);
        rows.Add(head, tail, sqlite, values);
    }

    /// <summary>
    /// PostgreSQL: <c>WITH v (id, …) AS (VALUES (…), (…)) UPDATE … FROM v</c>, many rows per statement; SQLite, stepped
    /// row by row in process: a plain <c>UPDATE … WHERE id = ?1</c>.
    /// </summary>
    private static (string Head, string Tail, string Sqlite) Statement(int changed)
    {
        var names = Enumerable.Range(0, Mutable.Length).Where(c => (changed & (1 << c)) != 0).Select(c => Mutable[c].Name).ToList();
        var head = $"WITH v (id, {string.Join(", ", names)}) AS (VALUES";
        var tail = $") UPDATE instances SET {string.Join(", ", names.Select(n => $"{n} = v.{n}"))} FROM v WHERE instances.id = v.id";
        var sqlite = $"UPDATE instances SET {string.Join(", ", names.Select((n, i) => $"{n} = ?{i + 2}"))} WHERE id = ?1";
        return (head, tail, sqlite);
    }
}
