using System.CommandLine;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Purchases;
using Tenure.Domain.Time;

namespace Tenure.Cli;

/// <summary><c>tenure timeline</c>: an instance's whole future as the rules decide it, computed in memory.</summary>
public static class TimelineCommand
{
    private static readonly LocalDateTimePattern LocalPattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd'T'HH:mm");
    private static readonly InstantPattern UtcPattern = InstantPattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm'Z'");

    public static Command Create(IAnsiConsole console)
    {
        var product = new Option<string>("--product")
        {
            Description = "Product code from the catalog (ecs, mqtt, rocketmq, oss-package, event-ticket).",
            Required = true,
        };
        var spec = new Option<string>("--spec") { Description = "Spec code, e.g. ecs.small or mqtt.basic.1k.", Required = true };
        var purchased = new Option<string>("--purchased")
        {
            Description = "Local purchase time in the billing zone, e.g. 2019-01-29T10:00.",
            Required = true,
        };
        var months = new Option<int>("--months")
        {
            Description = "Subscription period in months (12 = one year).",
            DefaultValueFactory = _ => 1,
        };
        var mode = new Option<string>("--mode")
        {
            Description = "Renewal mode: manual, auto or noRenew.",
            DefaultValueFactory = _ => "manual",
        };
        mode.AcceptOnlyFromAmong("manual", "auto", "noRenew");
        var zone = new Option<string>("--zone")
        {
            Description = "IANA billing time zone.",
            DefaultValueFactory = _ => BillingCalendar.DefaultZoneId,
        };
        var balance = new Option<long>("--balance")
        {
            Description = "Cash balance in minor units available to auto-renewal (0: every attempt fails).",
            DefaultValueFactory = _ => 0,
        };

        var command = new Command("timeline",
            "Print an instance's whole future: reminders, auto-renew attempts, expiry, stop, release warning and release, "
            + "in local time and UTC.")
        {
            product, spec, purchased, months, mode, zone, balance,
        };
        command.SetAction(parsed => Print(console, parsed.InvocationConfiguration.Error,
            parsed.GetValue(product)!, parsed.GetValue(spec)!, parsed.GetValue(purchased)!, parsed.GetValue(months),
            parsed.GetValue(mode)!, parsed.GetValue(zone)!, parsed.GetValue(balance)));
        return command;
    }

    private static int Print(
        IAnsiConsole console, TextWriter error, string product, string spec, string purchasedText, int months, string modeText,
        string zoneId, long balance)
    {
        if (BillingCalendar.ForZone(zoneId) is not { } calendar)
        {
            error.WriteLine($"error: --zone '{zoneId}' is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin).");
            return ExitCodes.Usage;
        }

        var local = LocalPattern.Parse(purchasedText);
        if (!local.Success || local.Value.Year is < 1900 or > 9000)
        {
            error.WriteLine($"error: --purchased '{purchasedText}' is not a local time like 2019-01-29T10:00 (years 1900–9000).");
            return ExitCodes.Usage;
        }

        if (balance < 0)
        {
            error.WriteLine("error: --balance cannot be negative.");
            return ExitCodes.Usage;
        }

        var rules = Rules.Default with { Calendar = calendar };
        var mode = Enum.Parse<RenewalMode>(modeText, ignoreCase: true);
        var at = calendar.At(local.Value.Date, local.Value.TimeOfDay);
        var buyer = new Account(new AccountId("timeline"), rules.Catalog.Currency, long.MaxValue / 4, []);
        var request = new PurchaseRequest(
            new InstanceId("i-timeline"), product, "region", null, spec, ChargeType.Subscription, months, mode == RenewalMode.Auto);
        var bought = Purchase.Buy(rules, buyer, request, at);
        if (bought.Refusal is { } refusal)
        {
            error.WriteLine($"error: {refusal.ApiCode}: {refusal.Detail}");
            return refusal.Code == RefusalCode.Validation ? ExitCodes.Usage : ExitCodes.Refused;
        }

        var instance = bought.Value.Instance with { Mode = mode };
        var account = buyer with { Balance = balance };
        var horizon = calendar.PlusDays(instance.Expiry, 400);
        var run = Simulation.Run(rules, [instance], account, horizon, maxSteps: 60);

        var table = new Table().Border(TableBorder.Simple)
            .AddColumn($"Local ({zoneId})").AddColumn("UTC").AddColumn("Event").AddColumn("What happens");
        var paid = bought.Value.Effects.Order!.Total;
        AddRow(table, calendar, at, "purchased", $"{product} {spec}, {months} month(s), mode {modeText}; "
            + $"expires {Format(calendar, instance.Expiry)}; paid {paid} {rules.Catalog.Currency} minor units");
        foreach (var step in run.Steps)
        {
            foreach (var happened in step.Change.Effects.Events)
            {
                AddRow(table, calendar, happened.At, TimelineKinds.Name(happened.Kind), happened.Detail);
            }
        }

        console.Write(table);
        var end = run.Instances[0];
        console.WriteLine(end.Status == InstanceStatus.Released
            ? $"Released {Format(calendar, end.ReleasedAt!.Value)}: nothing more happens."
            : $"Shown until {Format(calendar, horizon)} or {run.Steps.Length} events; "
                + $"the instance is {end.Status.ToString().ToLowerInvariant()}, expiring {Format(calendar, end.Expiry)}.");
        return ExitCodes.Ok;
    }

    private static void AddRow(Table table, BillingCalendar calendar, Instant at, string kind, string detail) =>
        table.AddRow(Markup.Escape(Format(calendar, at)), Markup.Escape(UtcPattern.Format(at)), Markup.Escape(kind), Markup.Escape(detail));

    private static string Format(BillingCalendar calendar, Instant at) => LocalPattern.Format(calendar.Local(at)).Replace('T', ' ');
}
