using NodaTime;
using Tenure.Domain.Usage;

namespace Tenure.Storage.Tests;

/// <summary>Usage samples and alarm state on each database (R11.1, R11.2): PostgreSQL's GREATEST is SQLite's MAX.</summary>
public abstract partial class StorageCompliance
{
    [Fact]
    public void R11_1_usage_keeps_each_metric_s_largest_value_per_minute_and_R11_2_the_last_alarm_per_metric()
    {
        var minute = Local("2019-03-02 10:00");
        var alarms = Read(s =>
        {
            s.RecordUsage("i-usage", new UsageSample(minute + Duration.FromSeconds(10), 5, 50, 7));
            s.RecordUsage("i-usage", new UsageSample(minute + Duration.FromSeconds(40), 9, 20, 7));
            s.RecordUsage("i-usage", new UsageSample(minute + Duration.FromSeconds(65), 1, 2, 3));
            s.SetLastAlarm("i-usage", Metric.Tps, minute);
            s.SetLastAlarm("i-usage", Metric.Tps, minute + Duration.FromHours(1));
            s.SetLastAlarm("i-usage", Metric.Connections, minute);
            return s.LastAlarms("i-usage");
        });
        Assert.Equal(
            [new UsageSample(minute, 9, 50, 7), new UsageSample(minute + Duration.FromMinutes(1), 1, 2, 3)],
            Read(s => s.UsageMinutes("i-usage", minute, minute + Duration.FromMinutes(2))));
        Assert.Single(Read(s => s.UsageMinutes("i-usage", minute + Duration.FromMinutes(1), minute + Duration.FromMinutes(2))));
        Assert.Equal(
            [(Metric.Tps, minute + Duration.FromHours(1)), (Metric.Connections, minute)],
            alarms.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)));
    }
}
