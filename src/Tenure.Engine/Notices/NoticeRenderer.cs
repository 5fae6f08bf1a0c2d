using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Time;

namespace Tenure.Engine.Notices;

/// <summary>
/// R9.6: words a notice when it is delivered or shown: its kind's template in the account's locale, with dates in the
/// billing zone and amounts with their currency. The dispatcher, the notifications list and the template preview all
/// word notices through it.
/// </summary>
public sealed class NoticeRenderer(BillingCalendar calendar)
{
    public BillingCalendar Calendar { get; } = calendar;

    /// <summary>The notice's subject, HTML, plain text and SMS in <paramref name="locale"/>.</summary>
    public NoticeTexts Render(NoticeTemplates templates, NoticeSubject notice, NoticeData data, string locale)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(notice);
        var kind = char.ToLowerInvariant(notice.Kind.ToString()[0]) + notice.Kind.ToString()[1..];
        var template = templates.Find(kind, locale)
            ?? throw new InvalidOperationException($"No template for notices of kind {kind}.");
        return Render(template.Template, notice, data, locale);
    }

    /// <summary>
    /// A stored notice's subject in its account's language (R9.6); one written before notices were data keeps the English
    /// subject it was written with.
    /// </summary>
    public string Subject(NoticeTemplates templates, Storage.StoredNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        if (notice.Data is not { } data) return notice.Subject;
        var kind = Enum.Parse<NoticeKind>(notice.Kind, ignoreCase: true);
        return Render(templates, new NoticeSubject(kind, notice.AccountId, notice.InstanceId, notice.At), data, notice.Locale).Subject;
    }

    /// <summary>A given template's rendering of the notice (a preview of one not yet saved, too).</summary>
    public NoticeTexts Render(NoticeTemplate template, NoticeSubject notice, NoticeData data, string locale)
    {
        ArgumentNullException.ThrowIfNull(template);
        var tag = Locales.Find(locale) ?? Locales.Default;
        return template.Render(NoticeFields.Of(notice, data, tag, Calendar));
    }
}
