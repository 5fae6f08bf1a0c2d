using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.PlanChanges;
using Tenure.Domain.Renewals;

namespace Tenure.Domain.Instances;

/// <summary>R8.10: the operations an instance accepts now, with their choices; null or empty where none is accepted.</summary>
public sealed record PossibleActions(
    RenewChoices? Renew,
    ImmutableArray<RenewalMode> RenewalModes,
    ImmutableArray<int> AutoRenewPeriods,
    SpecChoices? SpecChange,
    RenewDowngradeChoices? RenewDowngrade,
    EditionChoices? Edition,
    ImmutableArray<ChargeType> ChargeTypes,
    ImmutableArray<PostExpirationAction> PostExpirationActions,
    bool Unsubscribe);

public sealed record RenewChoices(ImmutableArray<int> Periods);

public sealed record SpecChoices(ImmutableArray<string> Specs);

/// <summary>
/// A bandwidth billing a renew-and-downgrade accepts; <paramref name="MaxMbps"/> null when any peak is
/// (under traffic billing, any peak but the current one).
/// </summary>
public sealed record BandwidthChoice(BandwidthBilling ChargeType, int? MaxMbps);

/// <summary>R6.4: each downgrade accepted on its own (specs, bandwidth billings, data disks that may go PAYG), and the periods.</summary>
public sealed record RenewDowngradeChoices(
    ImmutableArray<int> Periods, ImmutableArray<string> Specs, ImmutableArray<BandwidthChoice> Bandwidth, ImmutableArray<string> DataDisks);

public sealed record EditionChoices(ImmutableArray<string> Editions, ImmutableArray<int> Periods);

/// <summary>
/// R8.10: what an instance offers is decided by asking the very decisions that would refuse it, one
/// candidate at a time, and keeping those they accept. No rule is restated here, so a screen built
/// from these choices never offers what the command then refuses.
/// </summary>
public static class Actions
{
    /// <summary>
    /// The accepted operations at <paramref name="now"/>. Funds do not decide what is possible: the
    /// candidates are tried on the account with its balance made ample, and the quote of the chosen
    /// action shows any shortfall (R13.4).
    /// </summary>
    public static PossibleActions Of(Rules rules, Instance instance, Account account, Instant now)
    {
        var product = rules.Catalog.Get(instance.Product);
        var ample = account.WithAmpleFunds();
        var periods = product.ManualPeriods.Union(product.PurchasePeriods).Union(product.AutoRenewPeriods).Order().ToImmutableArray();

        var renew = product.ManualPeriods.Where(m => Renewal.Renew(rules, instance, ample, m, now).IsSuccess).ToImmutableArray();
        var autoPeriods = product.AutoRenewPeriods
            .Where(m => RenewalSettings.Set(rules, instance, ample, RenewalMode.Auto, m, now).IsSuccess).ToImmutableArray();
        var modes = new[] { RenewalMode.Manual, RenewalMode.Auto, RenewalMode.NoRenew }
            .Where(mode => mode == RenewalMode.Auto
                ? !autoPeriods.IsEmpty
                : RenewalSettings.Set(rules, instance, ample, mode, null, now).IsSuccess)
            .ToImmutableArray();
        var specs = product.Editions.SelectMany(e => e.Specs).Select(s => s.Code)
            .Where(s => SpecChange.Request(rules, instance, ample, s, now).IsSuccess).ToImmutableArray();
        var chargeTypes = Enum.GetValues<ChargeType>()
            .Where(c => c == ChargeType.Subscription
                ? product.PurchasePeriods.Any(m => EditionChange.ChangeChargeType(rules, instance, ample, c, m, now).IsSuccess)
                : EditionChange.ChangeChargeType(rules, instance, ample, c, null, now).IsSuccess)
            .ToImmutableArray();
        var postExpiration = product.PostExpirationActions
            .Where(a => Unsubscription.SetPostExpirationAction(rules, instance, ample, a, now).IsSuccess).ToImmutableArray();

        return new PossibleActions(
            renew.IsEmpty ? null : new RenewChoices(renew),
            modes,
            autoPeriods,
            specs.IsEmpty ? null : new SpecChoices(specs),
            Downgrades(rules, instance, ample, periods, now),
            Editions(rules, instance, ample, product, now),
            chargeTypes,
            postExpiration,
            Unsubscription.Unsubscribe(rules, instance, ample, now).IsSuccess);
    }

    /// <summary>
    /// R6.4 accepts no request without a downgrade, so each candidate downgrade (a cheaper spec, lower
    /// bandwidth or traffic billing, a data disk to PAYG) is tried alone, and the periods with the first one accepted.
    /// </summary>
    private static RenewDowngradeChoices? Downgrades(
        Rules rules, Instance instance, Account ample, ImmutableArray<int> periods, Instant now)
    {
        var product = rules.Catalog.Get(instance.Product);
        bool Accepted(int months, string? spec, Bandwidth? bandwidth, IReadOnlyList<DiskChange> disks) =>
            RenewDowngrade.Apply(rules, instance, ample, new DowngradeRequest(months, spec, bandwidth, disks), now).IsSuccess;
        bool AnyPeriod(string? spec, Bandwidth? bandwidth, IReadOnlyList<DiskChange> disks) =>
            periods.Any(m => Accepted(m, spec, bandwidth, disks));

        var specs = product.Editions.SelectMany(e => e.Specs).Select(s => s.Code).Where(s => s != instance.Spec)
            .Where(s => AnyPeriod(s, null, [])).ToImmutableArray();
        var bandwidth = BandwidthCandidates(instance.Components.Bandwidth).Where(c => AnyPeriod(null, c.Probe, [])).ToList();
        var disks = instance.Components.DataDisks.Select(d => d.Id)
            .Where(d => AnyPeriod(null, null, [new DiskChange(d, ChargeType.Payg)])).ToImmutableArray();
        DowngradeRequest? first = specs.Length > 0 ? new(0, specs[0], null, [])
            : bandwidth.Count > 0 ? new(0, null, bandwidth[0].Probe, [])
            : disks.Length > 0 ? new(0, null, null, [new DiskChange(disks[0], ChargeType.Payg)])
            : null;
        if (first is null) return null;
        var accepted = periods.Where(m => Accepted(m, first.Spec, first.Bandwidth, first.DataDisks)).ToImmutableArray();
        return new RenewDowngradeChoices(accepted, specs, [.. bandwidth.Select(c => c.Choice)], disks);
    }

    /// <summary>
    /// The bandwidth billings to offer, each with the request it is tried with: one Mbps less under bandwidth
    /// billing, and traffic billing with a peak unlike the current one (a traffic-billed instance changes only its peak).
    /// </summary>
    private static IEnumerable<(BandwidthChoice Choice, Bandwidth Probe)> BandwidthCandidates(Bandwidth? current)
    {
        if (current is null) yield break;
        if (current.Mbps > 0)
        {
            yield return (new(BandwidthBilling.ByBandwidth, current.Mbps - 1), new(BandwidthBilling.ByBandwidth, current.Mbps - 1));
        }

        var peak = current.ChargeType == BandwidthBilling.ByTraffic ? current.Mbps + 1 : current.Mbps;
        yield return (new(BandwidthBilling.ByTraffic, null), new(BandwidthBilling.ByTraffic, peak));
    }

    /// <summary>R6.6: the editions an in-place change accepts, and the periods every one of them accepts.</summary>
    private static EditionChoices? Editions(Rules rules, Instance instance, Account ample, Product product, Instant now)
    {
        bool Accepted(string edition, int months) => EditionChange.Change(rules, instance, ample, edition, months, now).IsSuccess;
        var editions = product.Editions.Select(e => e.Code).Where(e => product.PurchasePeriods.Any(m => Accepted(e, m))).ToImmutableArray();
        if (editions.IsEmpty) return null;
        return new EditionChoices(editions, [.. product.PurchasePeriods.Where(m => editions.All(e => Accepted(e, m)))]);
    }
}
