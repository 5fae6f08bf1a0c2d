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
        >= 'A' and <= 'Z' => 0.78,
        _ => 0.65,
    };
}
