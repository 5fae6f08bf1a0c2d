using System.Collections.Immutable;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Storage;

namespace Tenure.Engine.Notices;

/// <summary>One kind's template in one locale, and whether an operator replaced the default.</summary>
public sealed record KindTemplate(string Kind, string Locale, NoticeTemplate Template, bool Custom, NodaTime.Instant? UpdatedAt);

/// <summary>
/// R9.6: the template of every notice kind in every locale — the defaults Tenure ships (embedded
/// <c>Notices/Templates/{locale}.liquid</c>, each part after a line <c>@@ kind part</c>), with the operator's
/// replacements over them.
/// </summary>
public sealed class NoticeTemplates
{
    private static readonly Lazy<ImmutableDictionary<(string Kind, string Locale), NoticeTemplate>> Shipped = new(LoadDefaults);

    private readonly ImmutableDictionary<(string Kind, string Locale), KindTemplate> _templates;

    private NoticeTemplates(ImmutableDictionary<(string Kind, string Locale), KindTemplate> templates) => _templates = templates;

    /// <summary>Every kind as the API names it (<c>expiryReminder</c>, …), in the enum's order.</summary>
    public static ImmutableArray<string> Kinds { get; } =
        [.. Enum.GetNames<NoticeKind>().Select(n => char.ToLowerInvariant(n[0]) + n[1..])];

    /// <summary>The defaults alone.</summary>
    public static NoticeTemplates Defaults { get; } = With([]);

    /// <summary>The defaults, replaced by <paramref name="saved"/> where an operator saved one (each was checked when saved).</summary>
    public static NoticeTemplates With(IEnumerable<StoredTemplate> saved)
    {
        var templates = Shipped.Value.ToImmutableDictionary(
            d => d.Key, d => new KindTemplate(d.Key.Kind, d.Key.Locale, d.Value, false, null));
        foreach (var t in saved)
        {
            var (template, _) = NoticeTemplate.Parse(new NoticeTexts(t.Subject, t.Html, t.Text, t.Sms));
            if (template is null || !templates.ContainsKey((t.Kind, t.Locale)))
            {
                // A saved template was checked when saved; one that fails now (a field since removed) keeps the default.
                continue;
            }

            templates = templates.SetItem((t.Kind, t.Locale), new KindTemplate(t.Kind, t.Locale, template, true, t.UpdatedAt));
        }

        return new NoticeTemplates(templates);
    }

    /// <summary>The defaults with the operator's templates, as <paramref name="session"/> reads them.</summary>
    public static NoticeTemplates Load(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return With(session.NoticeTemplates());
    }

    /// <summary>Every kind × locale, kinds in order, locales in <see cref="Locales.All"/> order.</summary>
    public IEnumerable<KindTemplate> All => Kinds.SelectMany(k => Locales.All.Select(l => _templates[(k, l)]));

    /// <summary>The template of <paramref name="kind"/> in <paramref name="locale"/>, or null for a kind there is none of.</summary>
    public KindTemplate? Find(string kind, string locale) =>
        _templates.TryGetValue((kind, Locales.Find(locale) ?? Locales.Default), out var found) ? found : null;

    /// <summary>The shipped default of <paramref name="kind"/> in <paramref name="locale"/>.</summary>
    public static NoticeTemplate? Default(string kind, string locale) => Shipped.Value.GetValueOrDefault((kind, locale));

    private static ImmutableDictionary<(string Kind, string Locale), NoticeTemplate> LoadDefaults()
    {
        var defaults = ImmutableDictionary.CreateBuilder<(string Kind, string Locale), NoticeTemplate>();
        foreach (var locale in Locales.All)
        {
            using var stream = typeof(NoticeTemplates).Assembly.GetManifestResourceStream($"Tenure.Notices.{locale}.liquid")
                ?? throw new InvalidOperationException($"The default notice templates for {locale} are not embedded.");
            using var reader = new StreamReader(stream);
            var parts = Sections(reader.ReadToEnd());
            foreach (var kind in Kinds)
            {
                string Part(string name) => parts.TryGetValue((kind, name), out var text)
                    ? text
                    : throw new InvalidOperationException($"The default {locale} template of {kind} has no {name}.");
                var (template, error) = NoticeTemplate.Parse(new NoticeTexts(Part("subject"), Part("html"), Part("text"), Part("sms")));
                defaults[(kind, locale)] = template
                    ?? throw new InvalidOperationException($"The default {locale} template of {kind}: {error}");
            }
        }

        return defaults.ToImmutable();
    }

    /// <summary>The parts of a defaults file: what follows each <c>@@ kind part</c> line, up to the next.</summary>
    private static Dictionary<(string Kind, string Part), string> Sections(string file)
    {
        var parts = new Dictionary<(string Kind, string Part), string>();
        (string Kind, string Part)? current = null;
        var lines = new List<string>();
        foreach (var line in file.ReplaceLineEndings("\n").Split('\n').Append("@@ end end"))
        {
            if (!line.StartsWith("@@ ", StringComparison.Ordinal))
            {
                lines.Add(line);
                continue;
            }

            if (current is { } key) parts[key] = string.Join('\n', lines).Trim();
            var words = line[3..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            current = (words[0], words[1]);
            lines.Clear();
        }

        return parts;
    }
}
