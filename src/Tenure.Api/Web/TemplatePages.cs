using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tenure.Api.Web;

/// <summary>The operator's notice templates page (R9.6): every kind × locale, one open to edit, save, restore and preview.</summary>
public static partial class WebConsole
{
    private static void MapTemplates(RouteGroupBuilder console)
    {
        console.MapGet("/operator/templates",
            (HttpContext http, string? kind, string? locale, string? notice, string? error, string? code) =>
                SignedIn(http, (user, client) =>
                    Templates(user, client, Blank(kind), Blank(locale), null, null,
                        new Frame(user, "Notice templates", notice, error, code))));
        console.MapPost("/operator/templates", Handler(http => SignedIn(http, async (user, client) =>
        {
            var form = await http.Request.ReadFormAsync().ConfigureAwait(false);
            var (kind, locale) = (form["kind"].ToString(), form["locale"].ToString());
            var path = $"/v1/notice-templates/{Uri.EscapeDataString(kind)}/{Uri.EscapeDataString(locale)}";
            var back = $"/console/operator/templates?kind={kind}&locale={locale}";
            var draft = new NoticeTemplateRequest(
                form["subject"].ToString(), form["html"].ToString(), form["text"].ToString(), form["sms"].ToString());
            try
            {
                switch (form["action"].ToString())
                {
                    case "restore":
                        await client.Delete<NoticeTemplateDto>(path).ConfigureAwait(false);
                        return Results.Redirect(With(back, "notice", "Default restored."));
                    case "preview":
                        var preview = await client.Post<RenderedNoticeDto>($"{path}/preview", new PreviewRequest(Template: draft))
                            .ConfigureAwait(false);
                        return await Templates(user, client, kind, locale, draft, preview, new Frame(user, "Notice templates"))
                            .ConfigureAwait(false);
                    default:
                        await client.Put<NoticeTemplateDto>(path, draft).ConfigureAwait(false);
                        return Results.Redirect(With(back, "notice", "Template saved."));
                }
            }
            catch (ApiProblem refused) when (refused.Status == 400)
            {
                // The refused text stays in the form, with where it is wrong, so that nothing typed is lost.
                var frame = new Frame(user, "Notice templates", Error: refused.Detail, Code: Worded(refused));
                return await Templates(user, client, kind, locale, draft, null, frame, 400).ConfigureAwait(false);
            }
        })));
    }

    private static async Task<IResult> Templates(
        ConsoleUser user, ApiClient client, string? kind, string? locale, NoticeTemplateRequest? draft, RenderedNoticeDto? preview,
        Frame frame, int status = 200)
    {
        if (!user.IsOperator) return Results.Redirect("/console");
        var all = await client.Get<Page<NoticeTemplateDto>>("/v1/notice-templates").ConfigureAwait(false);
        var open = all.Items.FirstOrDefault(t => t.Kind == kind && t.Locale == locale);
        return Page<TemplatesPage>(frame, new { Templates = all.Items, Open = open, Draft = draft, Preview = preview }, status);
    }
}
