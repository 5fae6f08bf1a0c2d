using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Tenure.Api.Web;

/// <summary>R9.6: the account's notice language, set from the account page through <c>PUT /v1/account/locale</c>.</summary>
public static partial class WebConsole
{
    private static void MapAccountLocale(RouteGroupBuilder console) =>
        console.MapPost("/account/locale", Handler(http => Posted(http, async (_, client, form) =>
        {
            await client.Put<AccountDto>("/v1/account/locale", new LocaleRequest(form["locale"].ToString())).ConfigureAwait(false);
            return ("/console/account", "Notice language set.");
        })));
}
