using System.Diagnostics.Metrics;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Renewals;
using Tenure.Storage;
using DomainLifecycle = Tenure.Domain.Lifecycle.Lifecycle;

namespace Tenure.Engine.Lifecycle;

/// <summary>
/// Makes time pass for instances: claims the earliest due instances of a clock, runs their due
/// events through the domain's decision, and writes the new state with every effect in one
/// transaction per batch.
/// </summary>
/// <param name="writeEvery">The events whose rows a batch holds before it sends them, with their instances as they stand.</param>
public sealed class LifecycleEngine(Database database, Rules rules, int batchSize = 500, int writeEvery = 1_000)
{
    private static readonly Meter Meter = new("Tenure.Engine");
    private static readonly Counter<long> Processed =
        Meter.CreateCounter<long>("tenure_events_processed", description: "Lifecycle events run");
    private static readonly Counter<long> Batches = Meter.CreateCounter<long>("tenure_engine_batches", description: "Batches committed");
    private static readonly Counter<long> Charges =
        Meter.CreateCounter<long>("tenure_charges", description: "Orders charged by the engine (renewals, PAYG hours)");
    private static readonly Counter<long> Failures =
        Meter.CreateCounter<long>("tenure_autorenew_failures", description: "Auto-renew attempts that failed");

    /// <summary>
    /// Per clock, where the next claim may start: the first row the last batch left, kept only when
    /// every instance that batch claimed moved past it, so nothing due is ever behind it except what
    /// a command changed meanwhile, which the next pass (from the start) takes.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ClaimCursor> _cursors = new(StringComparer.Ordinal);

    public Rules Rules { get; } = rules;

    /// <summary>
    /// Runs one batch of a clock's due work at <paramref name="now"/>; returns how many instances it
    /// claimed (0: nothing was due) and how many events ran (a stale pointer is only recomputed).
    /// Within the batch events run in time order across its instances, and none later than the first
    /// unclaimed instance's due time, so the order holds across batches.
    /// With <paramref name="onTime"/> (test clocks) each event runs as if the clock had stood at its
    /// instant, as a clock that passes continuously would; otherwise a late engine's catch-up rules apply.
    /// On time the batch takes its accounts whole (<see cref="WholeAccounts"/>) and runs them up to now.
    /// </summary>
    public (int Instances, int Events) RunBatch(string clockId, Instant now, bool onTime = false)
    {
        var from = _cursors.TryRemove(clockId, out var cursor) ? cursor : null;
        using var session = database.Begin();
        var (claimed, next) = session.ClaimDue(clockId, now, batchSize, from);
        if (claimed.Count == 0)
        {
            session.Commit();
            return from is null ? (0, 0) : RunBatch(clockId, now, onTime); // the end of a pass: look again from the start
        }

        if (onTime) (claimed, next) = (WholeAccounts(session, claimed, clockId, now), null);

        var accounts = session.Accounts(claimed.Select(i => i.AccountId.Value), forUpdate: true);
        List<(Instance, DueEvent?)> due = [.. claimed.Select(i => (i, Schedule.Next(Rules, i, accounts[i.AccountId.Value])))];
        var ran = Run(session, accounts, due, next?.At, clockId, now, onTime);
        session.Commit();
        if (next is not null && database.Dialect == Dialect.Postgres && ran.NextDues.All(due => due > next.At)) _cursors[clockId] = next;
        Processed.Add(ran.Events);
        Batches.Add(1);
        Charges.Add(ran.Charges);
        Failures.Add(ran.Failures);
        return (claimed.Count, ran.Events);
    }

    /// <summary>
    /// R12.1 on a test clock: the events of one account touch no other account, so a batch takes the due instances of the
    /// accounts it claimed whole, in claim order, until it holds its size (at least one account), and runs each account up
    /// to now. A batch of the clock's earliest rows ran about one event per row and per five-hundredth of a commit, as the
    /// first unclaimed row bounded it (docs/benchmarks.md, "The test clock").
    /// </summary>
    private List<Instance> WholeAccounts(Session session, List<Instance> claimed, string clockId, Instant now)
    {
        var whole = new List<Instance>();
        foreach (var accountId in claimed.Select(i => i.AccountId.Value).Distinct())
        {
            if (whole.Count >= batchSize) break;
            whole.AddRange(session.ClaimDueOfAccount(clockId, accountId, now));
        }

        return whole;
    }

    /// <summary>
    /// Runs the due events of instances a command has locked and loaded, inside the command's
    /// session, before it decides (the shell's duty that <c>Commands.Touch</c> relies on): a command
    /// never skips an event the engine had not reached yet. Returns the instances as they are now;
    /// <paramref name="accounts"/> is brought up to date in place. Nothing runs (or is read) when nothing is due.
    /// </summary>
    public IReadOnlyList<Instance> CatchUp(
        Session session, IReadOnlyList<Instance> instances, Dictionary<string, Account> accounts, string clockId, Instant now)
    {
        List<(Instance, DueEvent?)> due = [.. instances.Select(i => (i, Schedule.Next(Rules, i, accounts[i.AccountId.Value])))];
        if (!due.Any(d => d.Item2 is { } next && next.At <= now)) return instances;
        var ran = Run(session, accounts, due, null, clockId, now, onTime: clockId != Session.SystemClock);
        return [.. instances.Select(i => ran.Current[i.Id.Value])];
    }

    /// <summary>
    /// Runs the due events of <paramref name="claimed"/>, each given with its next event under its account in
    /// <paramref name="accounts"/>, and writes everything to the session. R8.7's forecast of each account whose T-7 reminder
    /// ran is planned once and kept up to date across the events.
    /// </summary>
    private (int Events, int Charges, int Failures, List<Instant> NextDues, Dictionary<string, Instance> Current) Run(
        Session session, Dictionary<string, Account> accounts, List<(Instance Instance, DueEvent? Due)> claimed,
        Instant? boundary, string clockId, Instant now, bool onTime)
    {
        // Each instance with its next event and the account state that event was computed under: the
        // event holds while the account's plans stay the same (Schedule.SamePlans), so it is computed
        // once per change, by the decision, and again only when another event changed the account.
        var current = new Dictionary<string, (Instance Instance, DueEvent? Due, Account Under)>(claimed.Count);
        var written = new List<(string AccountId, Effects Effects, Instant At)>();
        var touched = new HashSet<string>(StringComparer.Ordinal);
        var saved = new Dictionary<string, (Instance Instance, DueEvent? Next)>(StringComparer.Ordinal);
        var (cash, charges, failures) = (new Dictionary<string, long>(StringComparer.Ordinal), 0, 0);
        void Save(IEnumerable<(Instance Instance, DueEvent? Due, Account Under)> instances, List<Instant>? nextDues)
        {
            foreach (var (instance, due, under) in instances)
            {
                var account = accounts[instance.AccountId.Value];
                var next = Schedule.SamePlans(under, account) ? due : Schedule.Next(Rules, instance, account);
                nextDues?.Add(next?.At ?? Instant.MaxValue);
                // Saved as it stands since (a renewal day's batch sends its rows at its last event): its row holds already.
                var same = saved.TryGetValue(instance.Id.Value, out var was) && ReferenceEquals(was.Instance, instance) && was.Next == next;
                if (same) continue;
                session.SaveInstance(instance, next, clockId);
                saved[instance.Id.Value] = (instance, next);
            }
        }

        // The effects written so far, after their instances (a renewal's item is reported under its saved instance).
        void WriteEffects()
        {
            foreach (var (accountId, effects, at) in written)
            {
                cash[accountId] = checked(cash.GetValueOrDefault(accountId) + session.WriteEffects(accountId, effects, at));
                if (effects.Order is not null) charges++;
                failures += effects.Events.Count(e => e.Kind == TimelineKind.AutoRenewFailed);
            }

            written.Clear();
            touched.Clear();
        }

        Dictionary<string, List<Instance>>? siblings = null;
        var books = new Dictionary<string, ForecastBook>(StringComparer.Ordinal);

        // The earliest due event among the batch first (ties to the earliest expiry, then the ID: R4.8).
        var queue = new PriorityQueue<Instance, (DueEvent Due, Instant Expiry, string Id)>(
            Comparer<(DueEvent Due, Instant Expiry, string Id)>.Create((a, b) =>
                a.Due.CompareTo(b.Due) is var c and not 0 ? c
                : a.Expiry.CompareTo(b.Expiry) is var e and not 0 ? e
                : string.CompareOrdinal(a.Id, b.Id)));
        void Enqueue(Instance instance, DueEvent? next, bool firstEvent)
        {
            if (next is not { } due || due.At > now) return;
            if (!firstEvent && boundary is { } limit && due.At >= limit) return;
            // No expiry (PAYG) sorts first, as in the claim.
            queue.Enqueue(instance, (due, instance.ExpiresAt ?? Instant.MinValue, instance.Id.Value));
        }

        foreach (var (instance, due) in claimed)
        {
            current[instance.Id.Value] = (instance, due, accounts[instance.AccountId.Value]);
            Enqueue(instance, due, firstEvent: true);
        }

        var ran = 0;
        while (queue.TryDequeue(out var pick, out var key))
        {
            var accountId = pick.AccountId.Value;
            if (!Schedule.SamePlans(current[pick.Id.Value].Under, accounts[accountId]))
            {
                // Another instance's event changed this account (its balance, say): take the fresh next event.
                var fresh = Schedule.Next(Rules, pick, accounts[accountId]);
                current[pick.Id.Value] = (pick, fresh, accounts[accountId]);
                if (fresh != key.Due)
                {
                    Enqueue(pick, fresh, firstEvent: false);
                    continue;
                }
            }

            if (DomainLifecycle.NeedsAccountInstances(pick, key.Due) && !books.ContainsKey(accountId))
            {
                // The first event that needs its account's instances reads those of every account in the batch without a book,
                // in one query.
                siblings ??= session.AutoRenewInstances(
                    [.. current.Values.Select(c => c.Instance.AccountId.Value).Distinct().Where(id => !books.ContainsKey(id))]);
                var mine = current.Values.Select(c => c.Instance).Where(i => i.AccountId.Value == accountId);
                var rest = siblings.GetValueOrDefault(accountId, []).Where(i => !current.ContainsKey(i.Id.Value));
                books[accountId] = ForecastBook.Of(Rules, accounts[accountId], [.. mine, .. rest]);
            }

            var at = onTime ? key.Due.At : now;
            var change = DomainLifecycle.Run(Rules, pick, accounts[accountId], key.Due, at, books.GetValueOrDefault(accountId));
            current[pick.Id.Value] = (change.Instance, change.NextDue[0], change.Account);
            accounts[accountId] = change.Account;
            if (books.TryGetValue(accountId, out var book)) books[accountId] = book.After(key.Due, change.Instance, change.Account);
            written.Add((accountId, change.Effects, key.Due.At));
            touched.Add(pick.Id.Value);
            ran++;
            Enqueue(change.Instance, change.NextDue[0], firstEvent: false);
            if (written.Count < writeEvery) continue;
            // A test clock's batch runs many events: their rows go to the database as it goes, each instance saved as it stands
            // before its first (its clock and product, which no event changes, are what a renewal is reported under), and
            // again at the end if it changed since.
            Save(touched.Where(id => !saved.ContainsKey(id)).Select(id => current[id]), null);
            WriteEffects();
            session.Flush();
        }

        var nextDues = new List<Instant>(current.Count);
        Save(current.Values, nextDues);
        WriteEffects();
        foreach (var (accountId, delta) in cash) session.UpdateAccount(accounts[accountId], delta);
        return (ran, charges, failures, nextDues, current.Values.ToDictionary(c => c.Instance.Id.Value, c => c.Instance));
    }

    /// <summary>
    /// Registers the backlog gauges of a clock: how many instances are due at the clock's now, and
    /// the engine lag (now − the oldest due time, 0 when nothing is due). Read at scrape time.
    /// </summary>
    public static void ObserveBacklog(Database database, string clockId, Func<Instant> now)
    {
        Meter.CreateObservableGauge(
            "tenure_due_backlog", () => Backlog(database, clockId, now()).Count, description: "Instances whose next event is due");
        Meter.CreateObservableGauge(
            "tenure_engine_lag_seconds", () => Backlog(database, clockId, now()).LagSeconds, unit: "s",
            description: "Now minus the oldest due time");
    }

    private static (long Count, double LagSeconds) Backlog(Database database, string clockId, Instant now)
    {
        var (count, oldest) = database.Backlog(clockId, now);
        return (count, oldest is { } due ? (now - due).TotalSeconds : 0);
    }

    /// <summary>Runs batches until nothing of the clock is due at <paramref name="now"/>; returns the events run.</summary>
    public int RunAllDue(string clockId, Instant now, bool onTime = false)
    {
        var total = 0;
        while (RunBatch(clockId, now, onTime) is { Instances: > 0 } batch) total += batch.Events;
        return total;
    }

    /// <summary>
    /// <see cref="RunAllDue(string, Instant, bool)"/> through a failover: a batch that failed because the database went
    /// away (<see cref="TransientFailure"/>) is reported to <paramref name="retrying"/> and run again, with a growing pause, until
    /// one commits or the failures have lasted <paramref name="patience"/> (then the last one is thrown). A batch never runs
    /// twice what committed: each one claims afresh what is still due.
    /// </summary>
    public int RunAllDue(string clockId, Instant now, TimeSpan patience, Action<Exception, TimeSpan> retrying, bool onTime = false)
    {
        var total = 0;
        var failing = new System.Diagnostics.Stopwatch();
        var pause = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                if (RunBatch(clockId, now, onTime) is not { Instances: > 0 } batch) return total;
                total += batch.Events;
                failing.Reset();
                pause = TimeSpan.FromMilliseconds(100);
            }
            catch (Exception e) when (TransientFailure.Is(e) && (!failing.IsRunning || failing.Elapsed < patience))
            {
                failing.Start();
                retrying(e, pause);
                TransientFailure.ForgetConnections();
                Thread.Sleep(pause);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }
}
