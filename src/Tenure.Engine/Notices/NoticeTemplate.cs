using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Fluid;
using Fluid.Ast;

namespace Tenure.Engine.Notices;

/// <summary>The four texts of a notice template (Liquid), or the four texts one renders to.</summary>
public sealed record NoticeTexts(string Subject, string Html, string Text, string Sms)
{
    /// <summary>The parts by their API names, in that order.</summary>
    public IEnumerable<(string Part, string Source)> Parts =>
        [("subject", Subject), ("html", Html), ("text", Text), ("sms", Sms)];
}

/// <summary>Why a template is refused: the part, and the line and column (1-based) of what is wrong.</summary>
public sealed record TemplateError(string Part, int Line, int Column, string Message)
{
    public override string ToString() => $"{Part}: line {Line}, column {Column}: {Message}";
}

/// <summary>
/// R9.6: a notice template parsed by Fluid (a maintained Liquid engine). One that does not parse, or that names a field
/// notices do not have (<see cref="NoticeFields.Names"/>), is refused when it is saved, with the position of the fault.
/// </summary>
public sealed partial class NoticeTemplate
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = new();

    // Values are escaped for HTML, but Chinese and Japanese stay as they are written rather than as numeric entities.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    private readonly IFluidTemplate _subject;
    private readonly IFluidTemplate _html;
    private readonly IFluidTemplate _text;
    private readonly IFluidTemplate _sms;

    private NoticeTemplate(NoticeTexts source, IReadOnlyList<IFluidTemplate> parsed)
    {
        Source = source;
        (_subject, _html, _text, _sms) = (parsed[0], parsed[1], parsed[2], parsed[3]);
    }

    public NoticeTexts Source { get; }

    /// <summary>The template, or the first fault of its parts.</summary>
    public static (NoticeTemplate? Template, TemplateError? Error) Parse(NoticeTexts source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var parsed = new List<IFluidTemplate>(4);
        foreach (var (part, text) in source.Parts)
        {
            if (!Parser.TryParse(text, out var template, out var error)) return (null, ParseError(part, text, error));
            if (UnknownField(part, text, template) is { } unknown) return (null, unknown);
            parsed.Add(template);
        }

        return (new NoticeTemplate(source, parsed), null);
    }

    /// <summary>The notice in words: HTML with every value escaped, the other parts as plain text.</summary>
    public NoticeTexts Render(IReadOnlyDictionary<string, Fluid.Values.FluidValue> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var context = new TemplateContext(Options);
        foreach (var (name, value) in fields) context.SetValue(name, value);
        return new NoticeTexts(
            OneLine(_subject.Render(context, NullEncoder.Default)),
            _html.Render(context, Html),
            _text.Render(context, NullEncoder.Default).Trim(),
            OneLine(_sms.Render(context, NullEncoder.Default)));
    }

    /// <summary>A subject or an SMS is one line, whatever the template's own line breaks.</summary>
    private static string OneLine(string text) => Spaces().Replace(text, " ").Trim();

    /// <summary>Fluid reports a fault as "… at (line:column)"; without a position it is at the start.</summary>
    private static TemplateError ParseError(string part, string source, string error)
    {
        var at = Position().Match(error);
        return at.Success
            ? new TemplateError(part, int.Parse(at.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(at.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), error)
            : new TemplateError(part, 1, 1, error);
    }

    /// <summary>The first field the template reads that no notice has (names it assigns or loops over are its own).</summary>
    private static TemplateError? UnknownField(string part, string source, IFluidTemplate template)
    {
        var reads = new FieldReads();
        reads.VisitTemplate(template);
        var known = NoticeFields.Names.Concat(reads.Own).Append("forloop").ToImmutableHashSet(StringComparer.Ordinal);
        if (reads.Names.FirstOrDefault(n => !known.Contains(n)) is not { } unknown) return null;
        var (line, column) = Locate(source, unknown);
        return new TemplateError(part, line, column,
            $"'{unknown}' is not a notice field; the fields are {string.Join(", ", NoticeFields.Names)}.");
    }

    /// <summary>Where <paramref name="name"/> is first written inside a Liquid tag or output.</summary>
    private static (int Line, int Column) Locate(string source, string name)
    {
        foreach (Match tag in Tags().Matches(source))
        {
            var word = Regex.Match(tag.Value, $@"(?<![\w.""']){Regex.Escape(name)}(?!\w)", RegexOptions.None, TimeSpan.FromSeconds(1));
            if (!word.Success) continue;
            var index = tag.Index + word.Index;
            var before = source.AsSpan(0, index);
            var line = before.Count('\n') + 1;
            return (line, index - (before.LastIndexOf('\n') + 1) + 1);
        }

        return (1, 1);
    }

    [GeneratedRegex(@"\((\d+):(\d+)\)")]
    private static partial Regex Position();

    [GeneratedRegex(@"\{\{.*?\}\}|\{%.*?%\}", RegexOptions.Singleline)]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    /// <summary>The first segment of every variable a template reads, and the names it makes itself.</summary>
    private sealed class FieldReads : AstVisitor
    {
        public List<string> Names { get; } = [];

        public HashSet<string> Own { get; } = new(StringComparer.Ordinal);

        protected override Expression VisitMemberExpression(MemberExpression memberExpression)
        {
            if (memberExpression.Segments[0] is IdentifierSegment first) Names.Add(first.Identifier);
            return base.VisitMemberExpression(memberExpression);
        }

        protected override Statement VisitAssignStatement(AssignStatement assignStatement)
        {
            Own.Add(assignStatement.Identifier);
            return base.VisitAssignStatement(assignStatement);
        }

        protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
        {
            Own.Add(captureStatement.Identifier);
            return base.VisitCaptureStatement(captureStatement);
        }

        protected override Statement VisitForStatement(ForStatement forStatement)
        {
            Own.Add(forStatement.Identifier);
            return base.VisitForStatement(forStatement);
        }
    }
}
