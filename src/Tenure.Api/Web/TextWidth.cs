namespace Tenure.Api.Web;

/// <summary>
/// How wide a line of SVG text is drawn, estimated on the server (the console runs without
/// JavaScript, so nothing can measure it in the browser). The estimate errs wide: widths are
/// those of DejaVu Sans, the widest of the sans-serif fonts a browser falls back to, and a
/// little more; a label placed in its estimated box does not reach the next one.
/// </summary>
public static class TextWidth
{
    private const double Margin = 1.08;

    /// <summary>The width in pixels of <paramref name="text"/> at <paramref name="fontSize"/> pixels (bold adds a tenth).</summary>
    public static double Of(string text, double fontSize, bool bold = false)
    {
        var ems = 0.0;
        foreach (var c in text) ems += Em(c);
        return ems * fontSize * Margin * (bold ? 1.1 : 1.0);
    }

    private static double Em(char c) => c switch
    {
        ' ' or '.' or ',' or ':' or ';' or '\'' or '!' or '|' or 'i' or 'j' or 'l' or 'I' => 0.34,
        'f' or 'r' or 't' or '(' or ')' or '-' or '/' => 0.45,
        'm' or 'w' or 'M' or 'W' or '×' or '%' or '…' => 1.0,
        _ when IsWide(c) => 1.0,
        >= 'A' and <= 'Z' => 0.78,
        _ => 0.65,
    };

    /// <summary>
    /// Chinese and Japanese characters, their punctuation and full-width forms, which CJK fonts (Noto Sans CJK) draw a full
    /// em wide: a label in zh or ja measured as Latin letters would be placed a third too narrow and touch its neighbour.
    /// </summary>
    private static bool IsWide(char c) => c is (>= '\u2E80' and <= '\u9FFF') or (>= '\uAC00' and <= '\uD7A3')
        or (>= '\uF900' and <= '\uFAFF') or (>= '\uFE30' and <= '\uFE4F') or (>= '\uFF00' and <= '\uFF60') or (>= '\uFFE0' and <= '\uFFE6');
}
