using NodaTime;
using Tenure.Domain.Usage;

namespace Tenure.Storage;

/// <summary>Usage samples kept as per-minute maxima (R11.1), and when each metric last raised an alarm (R11.2).</summary>
public sealed partial class Session
{
    /// <summary>R11.1: keeps, per instance and minute, the largest value of each metric reported for that minute.</summary>
    public void RecordUsage(string instanceId, UsageSample sample)
    {
        var minute = Columns.Ticks(sample.At) / NodaConstants.TicksPerMinute * NodaConstants.TicksPerMinute;
        var greatest = Postgres ? "GREATEST" : "MAX"; // SQLite's two-argument MAX is PostgreSQL's GREATEST
        Execute("INSERT INTO usage_samples (instance_id, minute, tps, subscriptions, connections) " +
            "VALUES (@instanceId, @minute, @Tps, @Subscriptions, @Connections) " +
            $"ON CONFLICT (instance_id, minute) DO UPDATE SET tps = {greatest}(usage_samples.tps, excluded.tps), " +
            $"subscriptions = {greatest}(usage_samples.subscriptions, excluded.subscriptions), " +
            $"connections = {greatest}(usage_samples.connections, excluded.connections)",
            new { instanceId, minute, sample.Tps, sample.Subscriptions, sample.Connections });
    }

    /// <summary>An instance's per-minute maxima from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive).</summary>
    public List<UsageSample> UsageMinutes(string instanceId, Instant from, Instant to) =>
        [.. Query<(long Minute, long Tps, long Subscriptions, long Connections)>(
                "SELECT minute, tps, subscriptions, connections FROM usage_samples " +
                "WHERE instance_id = @instanceId AND minute >= @from AND minute < @to ORDER BY minute",
                new { instanceId, from = Columns.Ticks(from), to = Columns.Ticks(to) })
            .Select(r => new UsageSample(Columns.At(r.Minute), r.Tps, r.Subscriptions, r.Connections))];

    /// <summary>R11.2: when each metric of an instance last raised an alarm.</summary>
    public Dictionary<Metric, Instant> LastAlarms(string instanceId) =>
        Query<(string Metric, long At)>("SELECT metric, last_at FROM alarm_state WHERE instance_id = @instanceId", new { instanceId })
            .ToDictionary(r => Columns.Enum<Metric>(r.Metric), r => Columns.At(r.At));

    public void SetLastAlarm(string instanceId, Metric metric, Instant at) =>
        Execute("INSERT INTO alarm_state (instance_id, metric, last_at) VALUES (@instanceId, @metric, @at) " +
            "ON CONFLICT (instance_id, metric) DO UPDATE SET last_at = excluded.last_at",
            new { instanceId, metric = metric.ToString(), at = Columns.Ticks(at) });
}
