using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using NodaTime;
using NodaTime.Text;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Renewals;
using Tenure.Domain.Usage;
using Tenure.Engine.Delivery;
using Tenure.Storage;

namespace Tenure.Api;

public sealed record SampleDto(Instant At, long Tps, long Subscriptions, long Connections);

public sealed record UsageReport(IReadOnlyList<SampleDto> Samples);

/// <summary>R11.2: an alarm a usage report raised.</summary>
public sealed record RaisedAlarmDto(string Metric, Instant At, long Value, long Limit, int ThresholdPercent);

/// <summary>How many samples were stored and the alarms they raised.</summary>
public sealed record UsageAccepted(int Accepted, IReadOnlyList<RaisedAlarmDto> Alarms);

public sealed record AlarmSettingDto(int ThresholdPercent, bool Enabled);

public sealed record AlarmSettingsRequest(
    AlarmSettingDto? Tps = null, AlarmSettingDto? Subscriptions = null, AlarmSettingDto? Connections = null);

/// <summary>A metric's limit in the instance's spec and its alarm setting (R11.2).</summary>
public sealed record AlarmDto(string Metric, long Limit, int ThresholdPercent, bool Enabled);

public sealed record StatsDto(long Min, long Avg, long Max);

public sealed record BucketDto(Instant From, int Count, StatsDto Tps, StatsDto Subscriptions, StatsDto Connections);

/// <summary>R11.1: usage in buckets of <c>step</c> seconds, and the alarm thresholds to draw over it.</summary>
public sealed record UsageDto(Instant From, Instant To, int Step, IReadOnlyList<BucketDto> Buckets, IReadOnlyList<AlarmDto> Alarms);

public sealed record ForecastItemDto(string InstanceId, Instant At, long Amount);

/// <summary>R8.7: auto-renew charges ahead and whether balance and coupons cover them.</summary>
public sealed record ForecastDto(IReadOnlyList<ForecastItemDto> Items, long Total, bool Covered, long Shortfall, string Currency);

public sealed record WebhookRequest(string Url, string Secret);

public sealed record ContactsRequest(string Email, string? Phone = null);

public sealed record LocaleRequest(string Locale);

/// <summary>R11: usage samples, statistics and alarm settings; R8.7 forecast; account contacts and webhook.</summary>
public static class UsageApi
{
    public static void MapUsageApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.MapPost("/instances/{id}/usage", Report).Produces<UsageAccepted>();
        v1.MapGet("/instances/{id}/usage", Statistics).Produces<UsageDto>();
        v1.MapPut("/instances/{id}/alarms", SetAlarms).Produces<AlarmSettings>();
        v1.MapGet("/renewals/forecast", Forecast).Produces<ForecastDto>().ProducesProblem(404);
        v1.MapPut("/account/webhook", SetWebhook).Produces<AccountDto>();
        v1.MapPut("/account/contacts", (ContactsRequest body, HttpContext http, CommandRunner run) =>
            (Inputs.Email(body.Email) ?? Inputs.Phone(body.Phone))?.AsTask()
                ?? UpdateAccount(http, run, (session, id) => session.SetContacts(id, body.Email, body.Phone)))
            .Produces<AccountDto>();
        v1.MapPut("/account/locale", (LocaleRequest body, HttpContext http, CommandRunner run) =>
            Locales.Parse(body.Locale) is { Refusal: { } refusal } ? Problems.From(refusal).AsTask()
                : UpdateAccount(http, run, (session, id) => session.SetLocale(id, Locales.Find(body.Locale)!)))
            .Produces<AccountDto>().ProducesValidationProblem();
    }

    /// <summary>
    /// R9.4, R10.2: the account's webhook, a public address unless the operator allows private networks; a new secret rotates.
    /// </summary>
    private static async Task<IResult> SetWebhook(
        WebhookRequest body, HttpContext http, CommandRunner run, ApiContext api, DispatcherOptions delivery)
    {
        if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            return Problems.Invalid("url", "url must be an absolute http(s) URL.");
        }

        if (body.Secret is not { Length: >= 16 and <= 200 }) return Problems.Invalid("secret", "secret must be 16 to 200 characters.");
        if (!delivery.AllowPrivateNetworks && await WebhookUrl.RefusalAsync(url, http.RequestAborted).ConfigureAwait(false) is { } refused)
        {
            return Problems.Invalid("url", $"url must reach a public address: {refused}");
        }

        return await UpdateAccount(http, run, (session, id) => session.SetWebhook(id, body.Url, body.Secret, api.Clock.GetCurrentInstant()))
            .ConfigureAwait(false);
    }

    /// <summary>Changes the caller's own account settings and answers with the account.</summary>
    private static Task<IResult> UpdateAccount(HttpContext http, CommandRunner run, Action<Session, string> update)
    {
        if (http.Caller().AccountId is not { } id) return Problems.Invalid("key", "This route needs an account key.").AsTask();
        return run.OnAccount(http, id, (session, _) =>
        {
            update(session, id);
            return Reply.Ok(OperatorApi.AccountView(session, id)!);
        });
    }

    /// <summary>R11.1, R11.2: stores per-minute maxima and raises alarms, at most one per metric per instance per hour.</summary>
    private static Task<IResult> Report(string id, UsageReport body, HttpContext http, CommandRunner run)
    {
        if (body.Samples is not { Count: > 0 and <= 1000 }) return Problems.Invalid("samples", "Send 1 to 1000 samples.").AsTask();
        const long most = 1_000_000_000_000;
        if (body.Samples.Any(s => s.Tps is < 0 or > most || s.Subscriptions is < 0 or > most || s.Connections is < 0 or > most))
        {
            return Problems.Invalid("samples", "Sample values must be between 0 and 10^12.").AsTask();
        }

        return run.OnInstances(http, [id], (session, t) =>
        {
            var last = session.LastAlarms(id);
            var raised = new List<Alarm>();
            var effects = Effects.None;
            foreach (var s in body.Samples.OrderBy(s => s.At))
            {
                var sample = new UsageSample(s.At, s.Tps, s.Subscriptions, s.Connections);
                session.RecordUsage(id, sample);
                var (alarms, alarmEffects) = Alarms.Evaluate(run.Rules, t.Instance, sample, last);
                foreach (var alarm in alarms)
                {
                    last[alarm.Metric] = alarm.At;
                    session.SetLastAlarm(id, alarm.Metric, alarm.At);
                }

                raised.AddRange(alarms);
                effects = effects.Then(alarmEffects);
            }

            return new Decision.Write(new Change(t.Account, effects), _ => Reply.Ok(new UsageAccepted(
                body.Samples.Count,
                [.. raised.Select(a =>
                    new RaisedAlarmDto(a.Metric.ToString().ToLowerInvariant(), a.At, a.Value, a.Limit, a.ThresholdPercent))])));
        });
    }

    /// <summary>R11.1: buckets of <c>step</c> seconds with min, avg and max per metric.</summary>
    private static IResult Statistics(string id, string? from, string? to, int? step, HttpContext http, ApiContext api)
    {
        if (step is < 60 or > 86_400 * 31) return Problems.Invalid("step", "step is in seconds, from 60 to 2678400.");
        var fromAt = from is null ? (Instant?)null : Bounded(from);
        var toAt = to is null ? (Instant?)null : Bounded(to);
        if (fromAt == Instant.MinValue || toAt == Instant.MinValue)
        {
            return Problems.Invalid(fromAt == Instant.MinValue ? "from" : "to",
                $"from and to are ISO-8601 UTC instants like 2019-03-27T00:00:00Z. {InstantBounds.Detail}");
        }

        using var session = api.Database.BeginRead();
        if (api.Instance(session, http.Caller(), id) is not var (instance, scope)) return Problems.NotFound($"Instance {id}");
        var end = toAt ?? scope.Now;
        var start = fromAt ?? end - Duration.FromDays(1);
        if (start >= end) return Problems.Invalid("from", "from must be before to.");
        var width = Duration.FromSeconds(step ?? 3600);
        var rows = session.UsageMinutes(id, start, end);
        var buckets = rows.GroupBy(r => (r.At - start).BclCompatibleTicks / width.BclCompatibleTicks).Select(g => new BucketDto(
                start + (width * g.Key), g.Count(),
                Stats(g.Select(r => r.Tps)), Stats(g.Select(r => r.Subscriptions)), Stats(g.Select(r => r.Connections))))
            .ToList();
        var limits = api.Rules.Catalog.Get(instance.Product).SpecOf(instance.Spec)?.Limits;
        var alarms = limits is null ? [] : Enum.GetValues<Metric>().Select(m => new AlarmDto(
                m.ToString().ToLowerInvariant(), Alarms.LimitOf(limits, m),
                Alarms.SettingOf(instance.Alarms, m).ThresholdPercent, Alarms.SettingOf(instance.Alarms, m).Enabled))
            .ToList();
        return TypedResults.Ok(new UsageDto(start, end, (int)width.TotalSeconds, buckets, alarms));
    }

    /// <summary>
    /// A query instant, or <see cref="Instant.MinValue"/> when it is not one or lies outside <see cref="InstantBounds"/>.
    /// </summary>
    private static Instant Bounded(string text) =>
        InstantPattern.ExtendedIso.Parse(text) is { Success: true } parsed && InstantBounds.Contains(parsed.Value)
            ? parsed.Value
            : Instant.MinValue;

    private static StatsDto Stats(IEnumerable<long> values)
    {
        var list = values.ToList();
        return new StatsDto(list.Min(), list.Sum() / list.Count, list.Max());
    }

    private static Task<IResult> SetAlarms(string id, AlarmSettingsRequest body, HttpContext http, CommandRunner run)
    {
        static AlarmSetting? Pick(AlarmSettingDto? asked) => asked is null ? null : new AlarmSetting(asked.ThresholdPercent, asked.Enabled);
        var request = new AlarmRequest(Pick(body.Tps), Pick(body.Subscriptions), Pick(body.Connections));
        return run.OnInstances(http, [id], t => Decision.Of(Alarms.Set(run.Rules, t.Instance, t.Account, request, t.Now),
            w => Reply.Ok(w.Change.Instance.Alarms)));
    }

    /// <summary>R8.7: the auto-renew charges of the next N days and whether they are covered.</summary>
    private static IResult Forecast(int? days, HttpContext http, ApiContext api, string? accountId)
    {
        if (days is < 1 or > 366) return Problems.Invalid("days", "days must be between 1 and 366.");
        var owner = http.Caller().AccountId ?? accountId;
        if (owner is null) return Problems.Invalid("accountId", "With the operator key, say whose forecast: ?accountId=.");
        using var session = api.Database.BeginRead();
        if (api.Account(session, http.Caller(), owner) is not { } scope) return Problems.NotFound($"Account {owner}");
        var forecast = Forecasts.Forecast(api.Rules, scope.Account, session.AccountInstances(owner), scope.Now, days ?? 30);
        session.Commit();
        var items = forecast.Items.Select(i => new ForecastItemDto(i.InstanceId.Value, i.At, i.Amount)).ToList();
        return TypedResults.Ok(new ForecastDto(items, forecast.Total, forecast.Covered, forecast.Shortfall, scope.Row.Currency));
    }
}
