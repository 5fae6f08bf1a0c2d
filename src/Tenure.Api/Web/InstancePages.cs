using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Time;

namespace Tenure.Api.Web;

/// <summary>The instance page: details, timeline picture, usage chart, and every action through the API.</summary>
public static partial class WebConsole
{
    private static void MapInstance(RouteGroupBuilder console)
    {
        console.MapGet("/instances/{id}", (string id, HttpContext http, string? notice, string? error, string? code) =>
            SignedIn(http, async (user, client) =>
            {
                var path = $"/v1/instances/{Uri.EscapeDataString(id)}";
                var instance = await client.Get<InstanceDto>(path).ConfigureAwait(false);
                var events = await client.Get<Page<EventDto>>($"{path}/events?limit=500").ConfigureAwait(false);
                var schedule = await client.Get<ScheduleDto>($"{path}/schedule").ConfigureAwait(false);
                var usage = await client.Get<UsageDto>($"{path}/usage?step=3600&to={Uri.EscapeDataString(schedule.Now.ToString())}")
                    .ConfigureAwait(false);
                var costs = await client.Get<InstanceCostDto>($"{path}/costs").ConfigureAwait(false);
                var title = Show.Text("Instance {0}", instance.Id);
                return Page<InstancePage>(new Frame(user, title, notice, error, code),
                    new { Instance = instance, Events = events.Items, Schedule = schedule, Usage = usage, Costs = costs });
            }));
        console.MapPost("/instances/{id}/quote", (string id, HttpContext http) => SignedIn(http, async (user, client) =>
        {
            var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
            var action = Blank(form["do"].ToString()) ?? "renew";
            return Quoted(user, await QuoteInstance(client, Calendar(http), id, action, form).ConfigureAwait(false));
        }));
        console.MapPost("/instances/{id}/{action}", (string id, string action, HttpContext http) => PricedActions.Contains(action)
            ? SignedIn(http, async (user, client) =>
            {
                var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
                var path = $"/v1/instances/{Uri.EscapeDataString(id)}";
                return await PayOrRequote(user,
                    async () => ($"/console/instances/{Uri.EscapeDataString(id)}",
                        await Act(client, Calendar(http), path, action, form).ConfigureAwait(false)),
                    () => QuoteInstance(client, Calendar(http), id, action, form)).ConfigureAwait(false);
            })
            : Posted(http, async (_, client, form) =>
            {
                var path = $"/v1/instances/{Uri.EscapeDataString(id)}";
                var notice = await Act(client, Calendar(http), path, action, form).ConfigureAwait(false);
                return ($"/console/instances/{Uri.EscapeDataString(id)}", notice);
            }));
    }

    /// <summary>One instance action: the form's fields as the API's body, and what to tell the user.</summary>
    private static async Task<string> Act(
        ApiClient client, BillingCalendar calendar, string path, string action, IFormCollection form)
    {
        string Field(string name) => form[name].ToString();
        int Months() => Number(Field("months"), "Months");
        switch (action)
        {
            case "renew":
                var renewal = new RenewInstance(Months(), QuoteId: QuoteId(form));
                var (renewed, pending) = await client.Pay<RenewResult>($"{path}/renew", renewal, Field("idempotencyKey"))
                    .ConfigureAwait(false);
                if (pending is not null)
                    return Show.Text("Payment {0} is pending; the renewal is applied once it succeeds.", pending.PaymentId);
                return Show.Text("Renewed: paid {0} in order {1}; expires {2}.",
                    Show.Money(renewed!.Amount, renewed.Currency), renewed.OrderId, Show.At(calendar, renewed.NewExpiresAt));
            case "renewal":
                var mode = Enum.TryParse<RenewalMode>(Field("mode"), ignoreCase: true, out var m)
                    ? m
                    : throw new ApiProblem(400, "validation", "Choose a renewal mode.");
                int? autoMonths = mode == RenewalMode.Auto ? Number(Field("autoRenewMonths"), "Auto-renew period") : null;
                await client.Put($"{path}/renewal", new SetRenewal(mode, autoMonths)).ConfigureAwait(false);
                return Show.Text("Renewal set to {0}.", Show.Mode(mode, autoMonths));
            case "spec-change":
                var change = new SpecChangeRequest(Field("spec"), QuoteId: QuoteId(form));
                var (changed, specPending) = await client.Pay<InstanceDto>($"{path}/spec-change", change, Field("idempotencyKey"))
                    .ConfigureAwait(false);
                if (specPending is not null)
                {
                    return Show.Text("Payment {0} is pending; the change is applied once it succeeds.", specPending.PaymentId);
                }

                return changed!.PendingChange is { Kind: PendingChangeKind.ReviewedUpgrade }
                    ? Show.Text("Upgrade to {0} paid ({1}); it waits for an operator's review.", Field("spec"), Paid(form))
                    : Show.Text("Spec is now {0}; paid {1}.", changed.Spec, Paid(form));
            case "renew-downgrade":
                var spec = Blank(Field("spec"));
                var downgrade = new RenewDowngradeRequest(Months(), spec, QuoteId: QuoteId(form));
                var (downgraded, downgradePending) = await client.Pay<InstanceDto>(
                    $"{path}/renew-downgrade", downgrade, Field("idempotencyKey")).ConfigureAwait(false);
                if (downgradePending is not null)
                {
                    return Show.Text("Payment {0} is pending; the change is applied once it succeeds.", downgradePending.PaymentId);
                }

                return Show.Text("Renewed with a downgrade to {0} from the next cycle; paid {1}; expires {2}.", spec ?? downgraded!.Spec,
                    Paid(form), Show.At(calendar, downgraded!.ExpiresAt));
            case "edition":
                var editionChange = new EditionRequest(Field("edition"), Months(), QuoteId: QuoteId(form));
                var (edition, editionPending) = await client.Pay<InstanceDto>($"{path}/edition", editionChange, Field("idempotencyKey"))
                    .ConfigureAwait(false);
                if (editionPending is not null)
                {
                    return Show.Text("Payment {0} is pending; the change is applied once it succeeds.", editionPending.PaymentId);
                }

                return Show.Text("Edition is now {0}, same instance ID; paid {1}; expires {2}.", edition!.Edition, Paid(form),
                    Show.At(calendar, edition.ExpiresAt));
            case "post-expiration-action":
                var after = Enum.TryParse<PostExpirationAction>(Field("action"), ignoreCase: true, out var a)
                    ? a
                    : throw new ApiProblem(400, "validation", "Choose what happens at expiry.");
                await client.Put($"{path}/post-expiration-action", new PostExpirationRequest(after)).ConfigureAwait(false);
                return Show.Text("At expiry: {0}.", Show.Word(after.ToString()));
            case "unsubscribe":
                if (Field("confirm") != "yes") throw new ApiProblem(400, "validation", "Tick the box to confirm the unsubscription.");
                var refund = await client.Post<UnsubscribeResult>($"{path}/unsubscribe", new { }).ConfigureAwait(false);
                // R8.4, R7.11: a cycle the card paid part of refunds that part to the card.
                return refund.RefundToPaymentMethod > 0
                    ? Show.Text("Unsubscribed; refunded {0} to the balance and {1} to the payment method.",
                        Show.Money(refund.Refund, refund.Currency), Show.Money(refund.RefundToPaymentMethod, refund.Currency))
                    : Show.Text("Unsubscribed; refunded {0} to the balance.", Show.Money(refund.Refund, refund.Currency));
            case "alarms":
                var alarms = new AlarmSettingsRequest(Alarm(form, "tps"), Alarm(form, "subscriptions"), Alarm(form, "connections"));
                await client.Put($"{path}/alarms", alarms).ConfigureAwait(false);
                var saved = new[] { ("tps", alarms.Tps), ("subscriptions", alarms.Subscriptions), ("connections", alarms.Connections) }
                    .Where(a => a.Item2 is not null)
                    .Select(a => Show.Text(
                        a.Item2!.Enabled ? "{0} at {1}% (on)" : "{0} at {1}% (off)", Show.Text(a.Item1), a.Item2.ThresholdPercent));
                return Show.Text("Alarms saved: {0}.", string.Join(Show.Text(", "), saved));
            case "upgrade-complete":
                await client.Post($"{path}/upgrade/complete", new { }).ConfigureAwait(false);
                return Show.Text("Reviewed upgrade completed.");
            default:
                throw new ApiProblem(404, "not-found", Show.Text("There is no action '{0}'.", action));
        }
    }

    /// <summary>R11.2: one metric's alarm as its form fields set it, or null when the form has none for it (left as it is).</summary>
    private static AlarmSettingDto? Alarm(IFormCollection form, string metric) =>
        form.ContainsKey($"{metric}.threshold")
            ? new AlarmSettingDto(
                Number(form[$"{metric}.threshold"].ToString(), Show.Text("{0} alarm threshold", Show.Text(metric))),
                form[$"{metric}.enabled"] == "on")
            : null;
}
