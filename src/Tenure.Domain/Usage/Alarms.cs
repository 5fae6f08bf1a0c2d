using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;

namespace Tenure.Domain.Usage;

public enum Metric
{
    Tps,
    Subscriptions,
    Connections,
}

/// <summary>R11.1: one usage sample of an instance.</summary>
public sealed record UsageSample(Instant At, long Tps, long Subscriptions, long Connections)
{
    public long this[Metric metric] => metric switch
    {
        Metric.Tps => Tps,
        Metric.Subscriptions => Subscriptions,
        _ => Connections,
    };
}

/// <summary>An alarm raised by a sample.</summary>
public sealed record Alarm(Metric Metric, Instant At, long Value, long Limit, int ThresholdPercent);

/// <summary>R11.2: usage over a threshold of the spec's limit raises an alarm suggesting an upgrade.</summary>
public static class Alarms
{
    /// <summary>The setting of one metric.</summary>
    public static AlarmSetting SettingOf(AlarmSettings settings, Metric metric) => metric switch
    {
        Metric.Tps => settings.Tps,
        Metric.Subscriptions => settings.Subscriptions,
        _ => settings.Connections,
    };

    /// <summary>The limit of one metric.</summary>
    public static long LimitOf(Limits limits, Metric metric) => metric switch
    {
        Metric.Tps => limits.Tps,
        Metric.Subscriptions => limits.Subscriptions,
        _ => limits.Connections,
    };

    /// <summary>
    /// R11.2: a sample over <c>thresholdPercent</c> (default 70) of the limit raises an alarm for that
    /// metric when its switch is on, at most one per metric per instance per hour:
    /// <paramref name="lastAlarms"/> holds each metric's last alarm instant.
    /// </summary>
    public static (ImmutableArray<Alarm> Alarms, Effects Effects) Evaluate(
        Rules rules, Instance instance, UsageSample sample, IReadOnlyDictionary<Metric, Instant> lastAlarms)
    {
        var limits = rules.Catalog.Get(instance.Product).SpecOf(instance.Spec)?.Limits;
        if (limits is null || instance.Status == InstanceStatus.Released) return ([], Effects.None);
        var alarms = ImmutableArray.CreateBuilder<Alarm>();
        var effects = Effects.None;
        foreach (var metric in Enum.GetValues<Metric>())
        {
            var setting = SettingOf(instance.Alarms, metric);
            var limit = LimitOf(limits, metric);
            var value = sample[metric];
            if (!setting.Enabled || checked(value * 100) <= checked(limit * setting.ThresholdPercent)) continue;
            if (lastAlarms.TryGetValue(metric, out var last) && sample.At < last + Duration.FromHours(1)) continue;
            var alarm = new Alarm(metric, sample.At, value, limit, setting.ThresholdPercent);
            alarms.Add(alarm);
            var name = Name(metric);
            var text = $"{instance.Id}: {name} {value} is over {setting.ThresholdPercent}% of the {instance.Spec} limit {limit}; "
                + "consider upgrading the spec";
            effects = effects
                .Record(instance.Id, sample.At, TimelineKind.Alarm, text)
                .Notify(new Notice(NoticeKind.Alarm, instance.AccountId, instance.Id, sample.At, NoticeData.Of(instance) with
                {
                    Metric = name, Value = value, Limit = limit, ThresholdPercent = setting.ThresholdPercent,
                }, $"{instance.Id}:{NoticeKind.Alarm}:{name}:{sample.At}"));
        }

        return (alarms.ToImmutable(), effects);
    }

    /// <summary>
    /// R11.2: the customer changes the threshold (a whole percent from 1 to 100) or the switch of some
    /// metrics; the others keep theirs. The change is a command: it moves the instance's progress and
    /// is recorded on the timeline with the settings that now hold. A released instance has no alarms to set.
    /// </summary>
    public static Outcome<Change> Set(Rules rules, Instance instance, Account account, AlarmRequest request, Instant now)
    {
        if (request is { Tps: null, Subscriptions: null, Connections: null })
        {
            return Refusal.Invalid("alarms", "Set at least one of tps, subscriptions and connections.");
        }

        foreach (var metric in Enum.GetValues<Metric>())
        {
            if (request[metric] is { ThresholdPercent: < 1 or > 100 })
            {
                return Refusal.Invalid($"{Name(metric)}.thresholdPercent", "thresholdPercent must be between 1 and 100.");
            }
        }

        if (instance.Status == InstanceStatus.Released) return Refusal.State($"{instance.Id} was released; it has no alarms to set.");
        var current = instance.Alarms;
        var alarms = new AlarmSettings(
            request.Tps ?? current.Tps, request.Subscriptions ?? current.Subscriptions, request.Connections ?? current.Connections);
        var detail = string.Join(", ", Enum.GetValues<Metric>().Select(m => Describe(m, SettingOf(alarms, m))));
        return Change.Of(rules, Commands.Touch(instance, now) with { Alarms = alarms }, account,
            Effects.None.Record(instance.Id, now, TimelineKind.AlarmsChanged, detail));
    }

    private static string Name(Metric metric) => metric.ToString().ToLowerInvariant();

    private static string Describe(Metric metric, AlarmSetting setting) =>
        $"{Name(metric)} {setting.ThresholdPercent}% {(setting.Enabled ? "on" : "off")}";
}

/// <summary>R11.2: what a customer asks to change of an instance's alarms; a metric left null keeps its setting.</summary>
public sealed record AlarmRequest(AlarmSetting? Tps = null, AlarmSetting? Subscriptions = null, AlarmSetting? Connections = null)
{
    public AlarmSetting? this[Metric metric] => metric switch
    {
        Metric.Tps => Tps,
        Metric.Subscriptions => Subscriptions,
        _ => Connections,
    };
}
