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

    /// <summary>The columns a decision may change (the identity, owner, clock, product, region and creation never do).</summary>
    private static readonly (string Name, Func<InstanceRow, object?> Value, RowBuffer.TypedNull Null)[] Mutable =
    [
        ("edition", r => r.Edition, RowBuffer.TypedNull.Text),
        ("spec", r => r.Spec, RowBuffer.TypedNull.Text),
        ("charge_type", r => r.ChargeType, RowBuffer.TypedNull.Text),
        ("status", r => r.Status, RowBuffer.TypedNull.Text),
        ("expires_at", r => r.ExpiresAt, RowBuffer.TypedNull.Int64),
        ("mode", r => r.Mode, RowBuffer.TypedNull.Text),
        ("auto_renew_months", r => r.AutoRenewMonths, RowBuffer.TypedNull.Int64),
        ("post_expiration_action", r => r.PostExpirationAction, RowBuffer.TypedNull.Text),
        ("post_release_action", r => r.PostReleaseAction, RowBuffer.TypedNull.Text),
        ("pending_change", r => r.PendingChange, RowBuffer.TypedNull.Text),
        ("components", r => r.Components, RowBuffer.TypedNull.Text),
        ("cycle_start", r => r.CycleStart, RowBuffer.TypedNull.Int64),
        ("cycle_cash", r => r.CycleCash, RowBuffer.TypedNull.Int64),
        ("ahead_cycles", r => r.AheadCycles, RowBuffer.TypedNull.Text),
        ("stopped_at", r => r.StoppedAt, RowBuffer.TypedNull.Int64),
        ("stop_cause", r => r.StopCause, RowBuffer.TypedNull.Text),
        ("released_at", r => r.ReleasedAt, RowBuffer.TypedNull.Int64),
        ("payg_billed_through", r => r.PaygBilledThrough, RowBuffer.TypedNull.Int64),
        ("progress_at", r => r.ProgressAt, RowBuffer.TypedNull.Int64),
        ("progress_rank", r => r.ProgressRank, RowBuffer.TypedNull.Int64),
        ("alarms", r => r.Alarms, RowBuffer.TypedNull.Text),
        ("next_due_at", r => r.NextDueAt, RowBuffer.TypedNull.Int64),
        ("next_due_kind", r => r.NextDueKind, RowBuffer.TypedNull.Text),
        ("payment_pending", r => r.PaymentPending, RowBuffer.TypedNull.Text),
        ("cycle_method", r => r.CycleMethod, RowBuffer.TypedNull.Int64),
        ("terms_digest", r => r.TermsDigest, RowBuffer.TypedNull.Int64),
    ];

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
            if (Equals(Mutable[c].Value(was), Mutable[c].Value(now))) continue;
            changed |= 1 << c;
            count++;
        }

        if (changed == 0) return;
        var values = new object?[count + 1];
        values[0] = now.Id;
        var at = 1;
        for (var c = 0; c < Mutable.Length; c++)
        {
            if ((changed & (1 << c)) != 0) values[at++] = Mutable[c].Value(now) ?? Mutable[c].Null;
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
