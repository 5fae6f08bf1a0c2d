using NodaTime;

namespace Tenure.Storage;

/// <summary>R9.6: an operator's template for one notice kind in one locale (Liquid), replacing the default.</summary>
public sealed record StoredTemplate(string Kind, string Locale, string Subject, string Html, string Text, string Sms, Instant UpdatedAt);

/// <summary>The operator's notice templates: saved, removed (the default is back), and read all at once.</summary>
public sealed partial class Session
{
    /// <summary>Every template an operator saved (they are few: at most one per kind and locale).</summary>
    public List<StoredTemplate> NoticeTemplates() =>
        [.. Query<(string Kind, string Locale, string Subject, string Html, string Text, string Sms, long UpdatedAt)>(
                "SELECT kind, locale, subject, html, text, sms, updated_at FROM notice_templates ORDER BY kind, locale")
            .Select(t => new StoredTemplate(t.Kind, t.Locale, t.Subject, t.Html, t.Text, t.Sms, Columns.At(t.UpdatedAt)))];

    public void SaveNoticeTemplate(StoredTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        Execute(
            "INSERT INTO notice_templates (kind, locale, subject, html, text, sms, updated_at) " +
            "VALUES (@Kind, @Locale, @Subject, @Html, @Text, @Sms, @at) ON CONFLICT (kind, locale) DO UPDATE SET " +
            "subject = excluded.subject, html = excluded.html, text = excluded.text, sms = excluded.sms, updated_at = excluded.updated_at",
            new
            {
                template.Kind, template.Locale, template.Subject, template.Html, template.Text, template.Sms,
                at = Columns.Ticks(template.UpdatedAt),
            });
    }

    /// <summary>Removes the operator's template, if any: the default is used again. True when there was one.</summary>
    public bool DeleteNoticeTemplate(string kind, string locale) =>
        Execute("DELETE FROM notice_templates WHERE kind = @kind AND locale = @locale", new { kind, locale }) > 0;
}
