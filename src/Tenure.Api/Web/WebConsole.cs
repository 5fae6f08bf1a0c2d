using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using NodaTime;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Text;
using Tenure.Domain;
using Tenure.Domain.Time;

namespace Tenure.Api.Web;

/// <summary>Who is signed in to the console: the session token it calls the API with (only in the cookie), and what it is.</summary>
public sealed record ConsoleUser(string Key, bool IsOperator, string Name);

/// <summary>What every page shows around its content.</summary>
/// <remarks>
/// <paramref name="Code"/> is the API's error code when <paramref name="Error"/> is the API's own detail, which is English: a
/// page in another language says the code in its words, and the detail after it as the API wrote it.
/// </remarks>
public sealed record Frame(ConsoleUser? User, string Title, string? Notice = null, string? Error = null, string? Code = null);

/// <summary>
/// The web console: server-rendered Razor components over the JSON API. A page signs in with an
/// API key, which starts a server-side session (R13.3) whose token alone is kept in a protected,
/// HttpOnly, SameSite=Strict cookie; it calls the API on the server's own listener with that token,
/// so the console decides nothing the API does not, and every refusal reaches the user as the API's
/// problem detail. Forms work without JavaScript.
/// </summary>
public static partial class WebConsole
{
    public const string CookieName = "tenure_console";

    private const string TooManyFailures = "Too many failed sign-ins from this address; try again in a minute.";

    /// <summary>The query parameters of what the last action said, which the next one replaces.</summary>
    private static readonly string[] Said = ["notice=", "error=", "code="];

    private static readonly LocalDateTimePattern InputPattern = LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd'T'HH:mm");

    public static void MapConsole(this WebApplication app)
    {
        app.UseConsoleLanguages();
        app.MapGet("/", () => Results.Redirect("/console"));
        var console = app.MapGroup("/console").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            // Cross-site form posts are refused: the cookie is SameSite=Strict, and a foreign Origin is turned away.
            if (HttpMethods.IsPost(http.Request.Method) && http.Request.Headers.Origin is [{ } origin] && origin != "null"
                && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                    || !string.Equals(uri.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase)))
            {
                return Results.Problem("Cross-site form posts are not accepted.", statusCode: 403);
            }

            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (ApiProblem problem) when (problem.Status == 401)
            {
                return SessionEnded(http);
            }
            catch (ApiProblem problem) when (HttpMethods.IsPost(http.Request.Method))
            {
                return Results.Redirect(Back(http, problem));
            }
            catch (ApiProblem problem)
            {
                var frame = new Frame(User(http), "Something went wrong", Error: problem.Detail, Code: Worded(problem));
                return Page<ErrorPage>(frame, new { }, problem.Status);
            }
            catch (HttpRequestException e)
            {
                var error = Show.Text("The API did not answer the console ({0}); look at the page again before retrying.", e.Message);
                return Page<ErrorPage>(new Frame(User(http), "Something went wrong", Error: error), new { }, 502);
            }
        });
        console.MapGet("/sign-in", (HttpContext http, string? error) =>
            Page<SignInPage>(new Frame(null, "Sign in", Error: error), new { }));
        console.MapPost("/sign-in", SignIn);
        console.MapPost("/language", async (HttpContext http) =>
        {
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync().ConfigureAwait(false) : FormCollection.Empty;
            if (Domain.Accounts.Locales.Find(form["lang"]) is { } tag) ConsoleText.Remember(http, tag);
            var referer = http.Request.Headers.Referer.ToString();
            var back = Uri.TryCreate(referer, UriKind.Absolute, out var from)
                && from.AbsolutePath.StartsWith("/console", StringComparison.Ordinal)
                ? from.AbsolutePath : "/console";
            return Results.Redirect(back);
        });
        MapTemplates(console);
        MapAccountLocale(console);
        console.MapPost("/sign-out", (HttpContext http, Authenticator auth) => SignOut(http, auth, everywhere: false));
        console.MapPost("/sign-out-everywhere", (HttpContext http, Authenticator auth) => SignOut(http, auth, everywhere: true));
        console.MapGet("/", (HttpContext http) => Results.Redirect(User(http) switch
        {
            null => "/console/sign-in",
            { IsOperator: true } => "/console/operator",
            _ => "/console/renewals",
        }));
        MapRenewals(console);
        MapInstance(console);
        MapAccount(console);
        MapOperator(console);
        MapPurchase(console);
        MapAccountInstances(console);
        MapBilling(console);
        MapReport(console);
    }

    /// <summary>
    /// Checks the key here (failures count against the browser's address, R13.3), starts a server-side
    /// session and keeps only its token in the cookie; the console calls the API with that token.
    /// </summary>
    private static async Task<IResult> SignIn(
        HttpContext http, IHttpClientFactory clients, IDataProtectionProvider protection, Authenticator auth)
    {
        if (!http.Request.HasFormContentType)
        {
            return Page<SignInPage>(new Frame(null, "Sign in", Error: "Sign in with the form."), new { }, 415);
        }

        var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
        var key = form["key"].ToString().Trim();
        if (key.Length == 0) return Page<SignInPage>(new Frame(null, "Sign in", Error: "Enter an API key."), new { }, 400);

        // A key goes into an Authorization header: printable ASCII only (a newline or a non-ASCII letter failed the call to our own API).
        if (key.Length > 200 || key.Any(c => c is < '!' or > '~'))
        {
            return Page<SignInPage>(new Frame(null, "Sign in", Error: "That API key is not valid."), new { }, 401);
        }

        var found = await auth.AuthenticateAsync(ApiKeyMiddleware.ClientAddress(http), key, http.RequestAborted).ConfigureAwait(false);
        if (found.Throttled)
        {
            return Page<SignInPage>(new Frame(null, "Sign in", Error: TooManyFailures), new { }, 429);
        }

        if (found.Caller is not { } caller)
            return Page<SignInPage>(new Frame(null, "Sign in", Error: "That API key is not valid."), new { }, 401);
        var token = await auth.StartConsoleSessionAsync(caller, http.RequestAborted).ConfigureAwait(false);
        var name = caller.IsOperator
            ? "Operator"
            : (await Client(http, clients, token).Get<AccountDto>("/v1/account").ConfigureAwait(false)).Name;
        var cookie = protection.CreateProtector(CookieName).Protect($"{(caller.IsOperator ? 'o' : 'a')}|{name}|{token}");
        http.Response.Cookies.Append(CookieName, cookie, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = "/console", IsEssential = true,
        });
        return Results.Redirect(caller.IsOperator ? "/console/operator" : "/console/renewals");
    }

    /// <summary>Ends this browser's session, or with <paramref name="everywhere"/> every one of its account (or the operator's).</summary>
    private static async Task<IResult> SignOut(HttpContext http, Authenticator auth, bool everywhere)
    {
        if (User(http) is { } user)
        {
            var ending = everywhere
                ? auth.EndEveryConsoleSessionAsync(user.Key, http.RequestAborted)
                : auth.EndConsoleSessionAsync(user.Key, http.RequestAborted);
            await ending.ConfigureAwait(false);
        }

        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/console" });
        return Results.Redirect("/console/sign-in");
    }

    /// <summary>A handler of the HTTP context alone, as a route handler whose result is written (not a bare RequestDelegate).</summary>
    private static Func<HttpContext, Task<IResult>> Handler(Func<HttpContext, Task<IResult>> handler) => handler;

    /// <summary>The signed-in user, or null (then pages send the browser to sign in).</summary>
    private static ConsoleUser? User(HttpContext http)
    {
        if (http.Items[typeof(ConsoleUser)] is ConsoleUser known) return known;
        if (http.Request.Cookies[CookieName] is not { } cookie) return null;
        try
        {
            var parts = http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(CookieName)
                .Unprotect(cookie).Split('|', 3);
            var user = new ConsoleUser(parts[2], parts[0] == "o", parts[1]);
            http.Items[typeof(ConsoleUser)] = user;
            return user;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null; // a cookie from another server or an old key ring: sign in again
        }
    }

    /// <summary>Runs a page for a signed-in user, or sends the browser to sign in.</summary>
    /// <remarks>
    /// The session is checked here first, against the browser's address: an ended session replayed
    /// would otherwise reach the API from the server's own address and use up that address's
    /// failure budget (R13.3), which every console page's calls come from.
    /// </remarks>
    private static async Task<IResult> SignedIn(HttpContext http, Func<ConsoleUser, ApiClient, Task<IResult>> page)
    {
        if (User(http) is not { } user) return Results.Redirect("/console/sign-in");
        var found = await http.RequestServices.GetRequiredService<Authenticator>()
            .AuthenticateAsync(ApiKeyMiddleware.ClientAddress(http), user.Key, http.RequestAborted).ConfigureAwait(false);
        if (found.Throttled)
        {
            return Page<SignInPage>(new Frame(null, "Sign in", Error: TooManyFailures), new { }, 429);
        }

        if (found.Caller is null) return SessionEnded(http);
        var client = Client(http, http.RequestServices.GetRequiredService<IHttpClientFactory>(), user.Key);
        return await page(user, client).ConfigureAwait(false);
    }

    /// <summary>The session expired or was ended (elsewhere, or with its key): the cookie goes, and the browser to sign in.</summary>
    private static RedirectHttpResult SessionEnded(HttpContext http)
    {
        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/console" });
        return TypedResults.Redirect("/console/sign-in?error=" + Uri.EscapeDataString("Your session has ended; sign in again."));
    }

    /// <summary>Runs a form post for a signed-in user and redirects where it says, with its notice.</summary>
    private static Task<IResult> Posted(
        HttpContext http, Func<ConsoleUser, ApiClient, IFormCollection, Task<(string Path, string Notice)>> act) =>
        SignedIn(http, async (user, client) =>
        {
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync().ConfigureAwait(false) : FormCollection.Empty;
            var (path, notice) = await act(user, client, form).ConfigureAwait(false);
            return Results.Redirect(With(path, "notice", notice));
        });

    /// <summary>The API on this server's own listener, called with the user's key.</summary>
    private static ApiClient Client(HttpContext http, IHttpClientFactory clients, string key)
    {
        var local = http.Connection.LocalIpAddress ?? System.Net.IPAddress.Loopback;
        var host = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        return ApiClient.Create(clients.CreateClient("console"), $"{http.Request.Scheme}://{host}:{http.Connection.LocalPort}", key);
    }

    private static Rules Rules(HttpContext http) => http.RequestServices.GetRequiredService<ApiContext>().Rules;

    private static BillingCalendar Calendar(HttpContext http) => Rules(http).Calendar;

    /// <summary>Renders a page component inside the shell.</summary>
    public static RazorComponentResult Page<TPage>(Frame frame, object model, int status = 200)
        where TPage : Microsoft.AspNetCore.Components.IComponent
    {
        var parameters = model.GetType().GetProperties().ToDictionary(p => p.Name, p => p.GetValue(model));
        parameters["Frame"] = frame;
        return new RazorComponentResult<TPage>(parameters) { StatusCode = status };
    }

    /// <summary>Where a refused form goes back to: the page it came from (a console path), with the problem's detail and code.</summary>
    private static string Back(HttpContext http, ApiProblem problem)
    {
        var back = http.Request.HasFormContentType && http.Request.Form["back"].ToString() is { Length: > 0 } path
            && path.StartsWith("/console", StringComparison.Ordinal) && !path.StartsWith("//", StringComparison.Ordinal)
            ? path : "/console";
        return With(back, "error", problem.Detail, Worded(problem));
    }

    /// <summary>The code of a problem the API answered, whose English detail a page words by it; null for the console's own.</summary>
    private static string? Worded(ApiProblem problem) => problem.Answered ? problem.Code : null;

    /// <summary>A console path with a notice or an error (and that error's <paramref name="code"/>) in place of any it had.</summary>
    private static string With(string path, string name, string value, string? code = null)
    {
        var bare = string.Join('&', (path.Split('?', 2) is [_, var query] ? query : string.Empty)
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !Said.Any(said => p.StartsWith(said, StringComparison.Ordinal))));
        var coded = code is null ? string.Empty : "&code=" + Uri.EscapeDataString(code);
        return $"{path.Split('?', 2)[0]}?{(bare.Length > 0 ? bare + "&" : string.Empty)}{name}={Uri.EscapeDataString(value)}{coded}";
    }

    /// <summary>An amount typed by a person ("12.5") in minor units, or a refusal the page shows.</summary>
    public static long Amount(string text, string field)
    {
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var major)
            || major <= 0 || decimal.Round(major, 2) != major || major > 10_000_000_000m)
        {
            throw new ApiProblem(400, "validation", Show.Text("{0}: enter an amount like 100 or 99.50.", Show.Text(field)));
        }

        return (long)(major * 100);
    }

    /// <summary>A date and time typed in a datetime-local field, in the billing zone.</summary>
    public static Instant Time(Rules rules, string text, string field) =>
        InputPattern.Parse(text) is { Success: true } parsed
            ? rules.Calendar.Zone.AtLeniently(parsed.Value).ToInstant()
            : throw new ApiProblem(400, "validation", Show.Text("{0}: enter a date and time like 2019-03-27T08:00.", Show.Text(field)));

    public static int Number(string text, string field) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ApiProblem(400, "validation", Show.Text("{0}: enter a whole number.", Show.Text(field)));

    /// <summary>The value of a datetime-local field for an instant.</summary>
    public static string Input(Rules rules, Instant at) => InputPattern.Format(rules.Calendar.Local(at));
}
