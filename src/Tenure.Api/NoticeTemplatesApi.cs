using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Engine.Notices;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>A notice template (Liquid): <paramref name="Custom"/> when an operator replaced the default.</summary>
public sealed record NoticeTemplateDto(
    string Kind, string Locale, string Subject, string Html, string Text, string Sms, bool Custom, Instant? UpdatedAt,
    IReadOnlyList<string> Fields)
{
    public static NoticeTemplateDto From(KindTemplate t)
    {
        ArgumentNullException.ThrowIfNull(t);
        var s = t.Template.Source;
        return new(t.Kind, t.Locale, s.Subject, s.Html, s.Text, s.Sms, t.Custom, t.UpdatedAt, NoticeFields.Names);
    }
}

public sealed record NoticeTemplateRequest(string Subject, string Html, string Text, string Sms);

/// <summary>The notice a preview words: the seeds' example unless <paramref name="Sample"/> gives the facts.</summary>
public sealed record PreviewRequest(NoticeData? Sample = null, NoticeTemplateRequest? Template = null);

/// <summary>A notice in words: what the email, the SMS and the webhook's subject say.</summary>
public sealed record RenderedNoticeDto(string Subject, string Html, string Text, string Sms);

/// <summary>R9.6: the operator's notice templates, per kind and locale: read, replace, restore the default, preview.</summary>
public static class NoticeTemplatesApi
{
    public static void MapNoticeTemplatesApi(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/v1/notice-templates").AddEndpointFilter(async (context, next) =>
                context.HttpContext.Caller().IsOperator
                    ? await next(context).ConfigureAwait(false)
                    : Problems.Of(403, "forbidden", "This route needs the operator key."))
            .ProducesProblem(403);
        ops.MapGet("/", List).Produces<Page<NoticeTemplateDto>>();
        ops.MapGet("/{kind}/{locale}", Get).Produces<NoticeTemplateDto>().ProducesProblem(404);
        ops.MapPut("/{kind}/{locale}", Save).Produces<NoticeTemplateDto>().ProducesValidationProblem().ProducesProblem(404);
        ops.MapDelete("/{kind}/{locale}", Restore).Produces<NoticeTemplateDto>().ProducesProblem(404);
        ops.MapPost("/{kind}/{locale}/preview", Preview).Produces<RenderedNoticeDto>().ProducesValidationProblem().ProducesProblem(404);
    }

    private static Ok<Page<NoticeTemplateDto>> List(ApiContext api)
    {
        using var session = api.Database.BeginRead();
        var templates = NoticeTemplates.Load(session);
        session.Commit();
        return TypedResults.Ok(new Page<NoticeTemplateDto>([.. templates.All.Select(NoticeTemplateDto.From)], null));
    }

    private static Results<Ok<NoticeTemplateDto>, ProblemHttpResult> Get(string kind, string locale, ApiContext api)
    {
        if (Unknown(kind, locale) is { } problem) return problem;
        using var session = api.Database.BeginRead();
        var templates = NoticeTemplates.Load(session);
        session.Commit();
        return TypedResults.Ok(NoticeTemplateDto.From(templates.Find(kind, locale)!));
    }

    /// <summary>R9.6: a template that does not parse or names an unknown field is refused here, with its position.</summary>
    private static Task<IResult> Save(
        string kind, string locale, NoticeTemplateRequest body, HttpContext http, CommandRunner run, IClock clock)
    {
        if ((Unknown(kind, locale) ?? Checked(body).Problem) is { } problem) return Task.FromResult<IResult>(problem);
        return run.Run(http, session =>
        {
            session.SaveNoticeTemplate(
                new StoredTemplate(kind, locale, body.Subject, body.Html, body.Text, body.Sms, clock.GetCurrentInstant()));
            return Task.FromResult<Decision>(Reply.Ok(NoticeTemplateDto.From(NoticeTemplates.Load(session).Find(kind, locale)!)));
        });
    }

    private static Task<IResult> Restore(string kind, string locale, HttpContext http, CommandRunner run)
    {
        if (Unknown(kind, locale) is { } problem) return Task.FromResult<IResult>(problem);
        return run.Run(http, session =>
        {
            session.DeleteNoticeTemplate(kind, locale);
            return Task.FromResult<Decision>(Reply.Ok(NoticeTemplateDto.From(NoticeTemplates.Load(session).Find(kind, locale)!)));
        });
    }

    /// <summary>
    /// The template (the saved one, or the one in the body before it is saved) worded on the sample. It changes nothing;
    /// it goes through the command runner like every POST, so a retry with its key replays the same words.
    /// </summary>
    private static Task<IResult> Preview(
        string kind, string locale, PreviewRequest body, HttpContext http, CommandRunner run, NoticeRenderer renderer)
    {
        if (Unknown(kind, locale) is { } unknown) return Task.FromResult<IResult>(unknown);
        var draft = body.Template is { } given ? Checked(given) : (null, null);
        if (draft.Problem is { } problem) return Task.FromResult<IResult>(problem);
        return run.Run(http, session =>
        {
            var template = draft.Template ?? NoticeTemplates.Load(session).Find(kind, locale)!.Template;
            var noticeKind = Enum.Parse<NoticeKind>(kind, ignoreCase: true);
            var data = body.Sample ?? NoticeSamples.Data(noticeKind, renderer.Calendar, run.Rules.Catalog.Currency);
            var words = renderer.Render(template, NoticeSamples.Subject(noticeKind, renderer.Calendar), data, locale);
            return Task.FromResult<Decision>(Reply.Ok(new RenderedNoticeDto(words.Subject, words.Html, words.Text, words.Sms)));
        });
    }

    /// <summary>404 for a kind or locale there is none of (the names are exact: <c>expiryReminder</c>, <c>zh-Hant</c>).</summary>
    private static ProblemHttpResult? Unknown(string kind, string locale) =>
        !NoticeTemplates.Kinds.Contains(kind) ? Problems.NotFound($"Notice kind {kind}")
        : !Locales.All.Contains(locale) ? Problems.NotFound($"Locale {locale} (there are {string.Join(", ", Locales.All)})")
        : null;

    private static (NoticeTemplate? Template, ProblemHttpResult? Problem) Checked(NoticeTemplateRequest body)
    {
        var missing = new[] { ("subject", body.Subject), ("html", body.Html), ("text", body.Text), ("sms", body.Sms) }
            .FirstOrDefault(p => p.Item2 is null || p.Item2.Length > 20_000);
        if (missing.Item1 is { } field) return (null, Problems.Invalid(field, $"{field} must be given, at most 20000 characters."));
        var (template, error) = NoticeTemplate.Parse(new NoticeTexts(body.Subject, body.Html, body.Text, body.Sms));
        if (error is null) return (template, null);
        var problem = Problems.Invalid(error.Part, error.ToString());
        problem.ProblemDetails.Extensions["line"] = error.Line;
        problem.ProblemDetails.Extensions["column"] = error.Column;
        return (null, problem);
    }
}
