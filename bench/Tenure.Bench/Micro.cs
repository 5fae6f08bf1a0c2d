using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Money;
using Tenure.Domain.Purchases;
using Tenure.Domain.Renewals;

namespace Tenure.Bench;

/// <summary>One micro benchmark's mean time and allocation per call.</summary>
public sealed record MicroBenchmark(string Name, double MeanNs, long? AllocatedBytes);

/// <summary>What the micro benchmarks measured; <see cref="PerSecond"/> is calls per second of the auto-renew decision.</summary>
public sealed record MicroResult(
    string Arm, int Instances, double Seconds, double? PerSecond, double PeakRssMb, IReadOnlyList<MicroBenchmark> Benchmarks);

/// <summary>
/// BenchmarkDotNet micro benchmarks of the decisions the renewal day makes per instance, run in
/// process (a ShortRun job) so that they run from the <c>tenure-bench</c> executable; it must be a Release build.
/// </summary>
public static class Micro
{
    public static MicroResult Run(string[] args)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
        var summaries = BenchmarkSwitcher.FromTypes([typeof(DomainBenchmarks)]).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
        var results = summaries.SelectMany(s => s.Reports.Select(r => new MicroBenchmark(r.BenchmarkCase.Descriptor.WorkloadMethod.Name,
            Math.Round(r.ResultStatistics?.Mean ?? double.NaN, 1), r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase)))).ToList();
        var advance = results.FirstOrDefault(b => b.Name == nameof(DomainBenchmarks.AdvanceAutoRenew));
        var perSecond = advance is { MeanNs: > 0 } ? Math.Round(1e9 / advance.MeanNs) : (double?)null;
        return new MicroResult("micro", 0, Math.Round(watch.Elapsed.TotalSeconds, 2), perSecond, RenewalDay.PeakRssMb(), results);
    }
}

/// <summary>The calendar and the domain decisions of one renewal-day instance.</summary>
[MemoryDiagnoser]
public class DomainBenchmarks
{
    private static readonly PurchaseRequest Small =
        new(new InstanceId("p"), "ecs", "cn-hangzhou", null, "ecs.small", ChargeType.Subscription, 1, AutoRenew: true);

    private readonly Rules _rules = Rules.Default;
    private readonly Instance _instance = RenewalDay.Template(Rules.Default);
    private readonly Account _account =
        Payg.TopUp(Rules.Default, Account.Empty(new AccountId("a"), "USD"), 10_000, [], RenewalDay.Bought).Value.Account;
    private readonly Instant _expiry = Rules.Default.Calendar.At(new LocalDate(2019, 1, 31), LocalTime.Midnight);
    private readonly Account _carded = Account.Empty(new AccountId("c"), "USD") with
    {
        Balance = 200, Method = new PaymentMethod("tok", "Visa •••• 4242"),
    };

    [Benchmark]
    public Instant CalendarExtendMonth() => _rules.Calendar.Extend(_expiry, 1);

    [Benchmark]
    public Instant CalendarExpiryOfPurchase() => _rules.Calendar.ExpiryOfPurchase(RenewalDay.Bought, 1);

    [Benchmark]
    public DueEvent? ScheduleNext() => Schedule.Next(_rules, _instance, _account);

    [Benchmark]
    public int SchedulePlan() => Schedule.Plan(_rules, _instance, _account).Count();

    [Benchmark]
    public Change? AdvanceAutoRenew() => Lifecycle.Advance(_rules, _instance, _account, RenewalDay.Wave);

    [Benchmark]
    public bool RenewalQuote() => Renewal.Quote(_rules, _instance, 1, RenewalDay.Wave).IsSuccess;

    [Benchmark]
    public bool ChargesPay() => Charges.Pay(_account, 1000, "ecs", _instance.Id, RenewalDay.Wave, "renewal").IsSuccess;

    /// <summary>R2: a purchase the balance pays whole.</summary>
    [Benchmark]
    public bool PurchaseBuy() => Purchase.Buy(_rules, _account, Small, RenewalDay.Bought).IsSuccess;

    /// <summary>R2, R7.9: a purchase whose card pays a part: the decision asks for that payment and creates nothing.</summary>
    [Benchmark]
    public bool PurchaseBuyAsksCard() => Purchase.Buy(_rules, _carded, Small, RenewalDay.Bought).Value.Effects.Payment is not null;
}
