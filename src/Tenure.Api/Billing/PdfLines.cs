using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Tenure.Api;

/// <summary>
/// A PDF written a line at a time on A4 pages, a new page when one is full. Each text prints in the family its
/// characters need (<see cref="PdfFonts.FamilyFor"/>), so Latin-only documents embed no CJK font.
/// </summary>
public sealed class PdfLines : IDisposable
{
    private const double Margin = 50;

    private readonly PdfDocument _document = new();
    private PdfPage _page = null!;
    private XGraphics _graphics = null!;
    private double _y;

    public PdfLines(string title)
    {
        _document.Info.Title = title;
        _document.Info.Creator = "Tenure";
        NewPage();
    }

    private double Width => _page.Width.Point - (2 * Margin);

    public void Heading(string text) => Line([(text, 0)], 16, bold: true);

    public void Text(string text, bool bold = false) => Line([(text, 0)], 10, bold);

    /// <summary>A row of cells, each starting at its fraction of the line's width.</summary>
    public void Row(IReadOnlyList<(string Text, double At)> cells, bool bold = false) => Line(cells, 9, bold);

    public void Space() => _y += 8;

    public byte[] ToBytes()
    {
        _graphics.Dispose();
        using var stream = new MemoryStream();
        _document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    public void Dispose()
    {
        _graphics.Dispose();
        _document.Dispose();
    }

    private void Line(IReadOnlyList<(string Text, double At)> cells, double size, bool bold)
    {
        if (_y + (size * 1.6) > _page.Height.Point - Margin) NewPage();
        foreach (var (text, at) in cells)
        {
            if (text.Length == 0) continue;
            var font = new XFont(PdfFonts.FamilyFor(text), size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular);
            _graphics.DrawString(text, font, XBrushes.Black, Margin + (at * Width), _y + size);
        }

        _y += size * 1.6;
    }

    private void NewPage()
    {
        _graphics?.Dispose();
        _page = _document.AddPage();
        _page.Size = PdfSharp.PageSize.A4;
        _graphics = XGraphics.FromPdfPage(_page);
        _y = Margin;
    }
}
