using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tenure.Api.Web;

/// <summary>All of an account's instances (PAYG and released too, unlike the renewal list), and the account's own settings.</summary>
public static partial class WebConsole
{
    private static void MapAccountInstances(RouteGroupBuilder console)
    {
        console.MapGet("/instances", (HttpContext http, string? id, string? cursor, string? notice, string? error, string? code) =>
            SignedIn(http, async (user, client) =>
            {
                if (user.IsOperator && Blank(id) is null) return Results.Redirect("/console/operator");
                var owner = user.IsOperator ? $"&accountId={Uri.EscapeDataString(id!)}" : string.Empty;
                var after = Blank(cursor) is { } c ? $"&cursor={Uri.EscapeDataString(c)}" : string.Empty;
                var page = await client.Get<Page<InstanceDto>>($"/v1/instances?limit=100{owner}{after}").ConfigureAwait(false);
                var of = user.IsOperator ? $"id={Uri.EscapeDataString(id!)}&" : string.Empty;
                var next = page.NextCursor is { } n ? $"/console/instances?{of}cursor={Uri.EscapeDataString(n)}" : null;
                var title = user.IsOperator ? Show.Text("Instances of {0}", id!) : "All instances";
                return Page<AccountInstancesPage>(new Frame(user, title, notice, error, code), new { List = page.Items, Next = next });
            }));
        console.MapPost("/account/contacts", Handler(http => Posted(http, async (_, client, form) =>
        {
            var contacts = new ContactsRequest(form["email"].ToString(), Blank(form["phone"].ToString()));
            var account = await client.Put<AccountDto>("/v1/account/contacts", contacts).ConfigureAwait(false);
            return ("/console/account", account.Phone is { } phone
                ? Show.Text("Contacts saved: {0}, {1}.", account.Email, phone) : Show.Text("Contacts saved: {0}.", account.Email));
        })));
        console.MapPost("/account/webhook", Handler(http => Posted(http, async (_, client, form) =>
        {
            var url = form["url"].ToString().Trim();
            await client.Put<AccountDto>("/v1/account/webhook", new WebhookRequest(url, form["secret"].ToString())).ConfigureAwait(false);
            return ("/console/account", Show.Text("Webhook saved: notices are also posted to {0}.", url));
        })));
    }
}
