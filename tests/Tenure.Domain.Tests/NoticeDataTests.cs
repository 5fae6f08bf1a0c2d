using System.Reflection;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using static Tenure.Domain.Tests.Given;

namespace Tenure.Domain.Tests;

/// <summary>R9.6: the domain builds a notice's data and no prose; words are chosen when it is delivered.</summary>
public sealed class NoticeDataTests
{
    /// <summary>
    /// The only text a notice carries: names and codes (product, spec, currency, metric, the issuer's reason, an order ID).
    /// </summary>
    private static readonly string[] TextFields = ["Product", "Spec", "Currency", "Metric", "DeclineReason", "OrderId"];

    [Fact]
    public void R9_6_a_notice_has_no_text_field_but_names_and_codes()
    {
        Assert.DoesNotContain(typeof(Notice).GetProperties(), p => p.PropertyType == typeof(string) && p.Name != nameof(Notice.DedupeKey));
        var texts = typeof(NoticeData).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(string)).Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(TextFields.Order(StringComparer.Ordinal), texts);
    }

    [Fact]
    public void R9_6_the_seed_cycle_of_an_auto_instance_sends_facts_with_exact_dates_and_amounts()
    {
        // Seed 002: expiring 2019-03-30, first attempt 2019-03-27 08:00; 10.00 USD a month and nothing to pay it with.
        var run = Simulation.Run(
            Given.Rules, [Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto)], Account(), Local("2019-05-01 00:00"));
        var notices = run.Steps.SelectMany(s => s.Change.Effects.Notices).ToList();
        var expiry = Local("2019-03-30 00:00");

        var reminder = notices[0];
        Assert.Equal((NoticeKind.ExpiryReminder, Local("2019-03-23 08:00")), (reminder.Kind, reminder.At));
        Assert.Equal(
            new NoticeData("ecs", "ecs.small", RenewalMode.Auto, 1, expiry) { FirstAttemptAt = Local("2019-03-27 08:00") },
            reminder.Data);

        var failures = notices.Where(n => n.Kind == NoticeKind.AutoRenewFailed).ToList();
        Assert.Equal(
            new NoticeData("ecs", "ecs.small", RenewalMode.Auto, 1, expiry)
            {
                AttemptOffset = -3, LastAttempt = false, Amount = 1_000, Shortfall = 1_000, Currency = "USD",
                NextAttemptAt = Local("2019-03-29 08:00"),
            },
            failures[0].Data);
        var last = failures[^1].Data;
        Assert.Equal((14, true, (NodaTime.Instant?)null), (last.AttemptOffset, last.LastAttempt, last.NextAttemptAt));

        var stopped = notices.Single(n => n.Kind == NoticeKind.Stopped);
        Assert.Equal((Local("2019-04-14 00:00"), NoticeReason.Expired), (stopped.At, stopped.Data.Reason));
        var warning = notices.Single(n => n.Kind == NoticeKind.ReleaseWarning);
        Assert.Equal((Local("2019-04-28 00:00"), Local("2019-04-29 00:00")), (warning.At, warning.Data.ReleaseAt));
        Assert.Equal(NoticeReason.RetentionEnded, notices.Single(n => n.Kind == NoticeKind.Released).Data.Reason);
    }
}
