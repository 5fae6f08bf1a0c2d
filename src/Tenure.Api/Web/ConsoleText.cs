using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Tenure.Domain.Accounts;

namespace Tenure.Api.Web;

/// <summary>
/// The console's words: <c>ConsoleText.resx</c> (English) and one resource file per language beside it (zh-Hans, zh-Hant,
/// ja), read through <c>IStringLocalizer&lt;ConsoleText&gt;</c> — <c>@L["key"]</c> in any page, as _Imports injects it. A
/// key is the English text itself, so a string not translated yet shows in English rather than as a code.
/// </summary>
public sealed class ConsoleText
{
    /// <summary>The cookie the language switcher sets.</summary>
    public const string CookieName = "tenure_lang";

    /// <summary>Each language by its own name, for the switcher.</summary>
    public static IReadOnlyList<(string Tag, string Name)> Languages { get; } =
        [("en", "English"), ("zh-Hans", "简体中文"), ("zh-Hant", "繁體中文"), ("ja", "日本語")];

    private ConsoleText()
    {
    }

    /// <summary>The language of this request's page (one of <see cref="Locales.All"/>).</summary>
    public static string Current => Locales.Find(CultureInfo.CurrentUICulture.Name) ?? Locales.Default;

    /// <summary>The switcher's cookie for <paramref name="tag"/> (a year, the console's path only).</summary>
    public static void Remember(HttpContext http, string tag)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Cookies.Append(CookieName, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(tag)), new CookieOptions
        {
            Path = "/console", MaxAge = TimeSpan.FromDays(365), SameSite = SameSiteMode.Lax, IsEssential = true, HttpOnly = true,
            Secure = http.Request.IsHttps,
        });
    }
}

/// <summary>How the console picks its language for a request.</summary>
public static class ConsoleLanguages
{
    /// <summary>
    /// API.md: the console follows <c>?lang=</c>, then the switcher's cookie, then <c>Accept-Language</c>, in the four
    /// languages; English otherwise. Only the UI culture changes: numbers and dates are written by Show and LocaleFormat.
    /// </summary>
    public static void UseConsoleLanguages(this WebApplication app)
    {
        FindSatellitesByTheirTag();
        var cultures = Locales.All.Select(CultureInfo.GetCultureInfo).ToList();
        var options = new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture(CultureInfo.InvariantCulture, cultures[0]),
            SupportedCultures = [CultureInfo.InvariantCulture],
            SupportedUICultures = cultures,
            FallBackToParentUICultures = true,
        };
        options.RequestCultureProviders =
        [
            new QueryStringRequestCultureProvider { QueryStringKey = "lang", UIQueryStringKey = "lang" },
            new CookieRequestCultureProvider { CookieName = ConsoleText.CookieName },
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/console", StringComparison.OrdinalIgnoreCase), console =>
        {
            console.UseRequestLocalization(options);

            // A page asked for with ?lang= keeps its language for what follows (its forms post without the query).
            console.Use((http, next) =>
            {
                if (Locales.Find(http.Request.Query["lang"]) is { } tag) ConsoleText.Remember(http, tag);
                return next(http);
            });
        });
    }

    /// <summary>
    /// With invariant globalization a culture's name comes back upper-cased past its language (<c>zh-HANT</c>), and the
    /// runtime looks for its resource assembly in a folder of that name, which a case-sensitive file system does not
    /// have: the build writes <c>zh-Hant/</c>. This finds it there, by the tag Tenure spells.
    /// </summary>
    private static void FindSatellitesByTheirTag()
    {
        if (Interlocked.Exchange(ref _satellites, 1) == 1) return;
        System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            if (name.CultureName is not { Length: > 0 } culture || Locales.Find(culture) is not { } tag || tag == culture) return null;
            var path = Path.Combine(AppContext.BaseDirectory, tag, $"{name.Name}.dll");
            return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
        };
    }

    private static int _satellites;
}
