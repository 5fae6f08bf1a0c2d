using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Tenure.Api.Web;

/// <summary>
/// The console's words where a handler or helper builds them with values (a notice after an action, a quote's wording, a
/// renewal mode): the same resource files and localizer as <c>@L</c> in the pages, in the request's language. A notice is
/// worded when it is made, since it reaches the next page already written (Shell shows it through <c>L</c> again, which
/// leaves a text that is not a key as it is).
/// </summary>
public static class Say
{
    private static readonly IStringLocalizer Words =
        new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance)
            .Create(typeof(ConsoleText));

    /// <summary><paramref name="english"/> (the key) in the page's language, its placeholders filled invariantly.</summary>
    public static string Text(string english, params object[] values) => Words[english, values];
}
