using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;

namespace Tenure.Domain.Renewals;

/// <summary>R4.1, R4.2, R4.7: setting an instance's renewal mode, alone or in a batch.</summary>
public static class RenewalSettings
{
    /// <summary>
    /// Sets the mode. Auto needs a period the product allows and an instance that has not stopped
    /// (R4.7); setting it renews nothing now (R4.2). Manual and noRenew need no period.
    /// </summary>
    public static Outcome<Change> Set(Rules rules, Instance instance, Account account, RenewalMode mode, int? autoRenewMonths, Instant now)
    {
        if (Renewal.Renewable(rules, instance) is { } refusal) return refusal;
        var product = rules.Catalog.Get(instance.Product);
        var months = instance.AutoRenewMonths;
        if (mode == RenewalMode.Auto)
        {
            if (instance.Status != InstanceStatus.Running)
            {
                return new Refusal(RefusalCode.RenewalWindowClosed,
                    $"Auto-renewal can be enabled only before the instance stops; {instance.Id} is stopped. Renew it manually.");
            }

            months = autoRenewMonths ?? instance.AutoRenewMonths;
            if (!product.AutoRenewPeriods.Contains(months))
            {
                return new Refusal(RefusalCode.InvalidPeriod,
                    $"{product.Code} auto-renews for {string.Join(", ", product.AutoRenewPeriods)} months, not {months}.",
                    "autoRenewMonths");
            }
        }
        else if (autoRenewMonths is not null)
        {
            return Refusal.Invalid("autoRenewMonths", "autoRenewMonths goes only with mode auto.");
        }

        var updated = Commands.Touch(instance, now) with { Mode = mode, AutoRenewMonths = months };
        var detail = mode == RenewalMode.Auto ? $"auto, {months} month(s)" : mode == RenewalMode.Manual ? "manual" : "noRenew";
        return Change.Of(rules, updated, account, Effects.None.Record(instance.Id, now, TimelineKind.RenewalModeChanged, detail));
    }

    /// <summary>R4.7: a batch setting covers instances of one product only, and applies to all or none.</summary>
    public static Outcome<Change> SetBatch(
        Rules rules, IReadOnlyList<Instance> instances, Account account, RenewalMode mode, int? autoRenewMonths, Instant now)
    {
        if (instances.Count == 0) return Refusal.Invalid("instanceIds", "List at least one instance.");
        if (instances.Select(i => i.Id).Distinct().Count() != instances.Count)
        {
            return Refusal.Invalid("instanceIds", "An instance appears more than once.");
        }

        var products = instances.Select(i => i.Product).Distinct().ToList();
        if (products.Count > 1)
        {
            return new Refusal(RefusalCode.BatchMixesProducts,
                $"Batch renewal settings apply to one product at a time; these span {string.Join(", ", products)}.", "instanceIds");
        }

        var changed = ImmutableArray.CreateBuilder<Instance>(instances.Count);
        var effects = Effects.None;
        foreach (var instance in instances)
        {
            var one = Set(rules, instance, account, mode, autoRenewMonths, now);
            if (one.Refusal is { } refusal) return refusal with { Detail = $"{instance.Id}: {refusal.Detail}" };
            changed.Add(one.Value.Instance);
            effects = effects.Then(one.Value.Effects);
        }

        return Change.Of(rules, changed.MoveToImmutable(), account, effects);
    }
}
