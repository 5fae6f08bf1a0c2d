using System.Buffers.Binary;
using PdfSharp.Fonts;

namespace Tenure.Api;

/// <summary>
/// The fonts receipts and statements print with (R8.8): Debian's DejaVu Sans for Latin text and Noto Sans CJK for
/// Chinese and Japanese, found under /usr/share/fonts. PDFsharp reads one font face, so the CJK face is cut out of
/// its TrueType collection (the Simplified Chinese face, which holds the kana and kanji Japanese names use too).
/// </summary>
public sealed class PdfFonts : IFontResolver
{
    public const string Latin = "Tenure Latin";

    public const string Cjk = "Tenure CJK";

    private const string FontRoot = "/usr/share/fonts";

    /// <summary>Noto Sans CJK SC: the third face of the collection (JP, KR, SC, TC, HK, then the Mono faces).</summary>
    private const int SimplifiedChineseFace = 2;

    private static readonly (string Face, string File, string Package)[] Files =
    [
        ("latin", "DejaVuSans.ttf", "fonts-dejavu"), ("latin-bold", "DejaVuSans-Bold.ttf", "fonts-dejavu"),
        ("cjk", "NotoSansCJK-Regular.ttc", "fonts-noto-cjk"), ("cjk-bold", "NotoSansCJK-Bold.ttc", "fonts-noto-cjk"),
    ];

    private static readonly Lock Gate = new();

    private static readonly Lazy<(Dictionary<string, string>? Paths, string? Missing)> Found = new(Find);

    private static bool _registered;

    private readonly Dictionary<string, byte[]> _faces = [];

    private PdfFonts()
    {
    }

    /// <summary>Why PDFs cannot be made here (a font file is missing), or null when they can.</summary>
    public static string? Missing => Found.Value.Missing;

    /// <summary>Registers the resolver with PDFsharp once per process; false (see <see cref="Missing"/>) when a font is missing.</summary>
    public static bool Ready()
    {
        if (Missing is not null) return false;
        lock (Gate)
        {
            if (!_registered)
            {
                GlobalFontSettings.FontResolver = new PdfFonts();
                _registered = true;
            }
        }

        return true;
    }

    /// <summary>The family a text prints in: CJK when it holds a character from the CJK blocks on, Latin otherwise.</summary>
    public static string FamilyFor(string text) => text.Any(c => c >= '\u2E80') ? Cjk : Latin;

    public FontResolverInfo? ResolveTypeface(string familyName, bool isBold, bool isItalic) =>
        new((familyName == Cjk ? "cjk" : "latin") + (isBold ? "-bold" : string.Empty));

    public byte[]? GetFont(string faceName)
    {
        lock (_faces)
        {
            if (_faces.TryGetValue(faceName, out var cached)) return cached;
            var path = Found.Value.Paths![faceName];
            var bytes = File.ReadAllBytes(path);
            var face = path.EndsWith(".ttc", StringComparison.Ordinal) ? FaceOf(bytes, SimplifiedChineseFace) : bytes;
            _faces[faceName] = face;
            return face;
        }
    }

    private static (Dictionary<string, string>? Paths, string? Missing) Find()
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (face, file, package) in Files)
        {
            var path = Directory.Exists(FontRoot)
                ? Directory.EnumerateFiles(FontRoot, file, SearchOption.AllDirectories).Order(StringComparer.Ordinal).FirstOrDefault()
                : null;
            if (path is null) return (null,
                $"The font {file} was not found under {FontRoot}: install Debian's {package} to print receipts and statements.");
            paths[face] = path;
        }

        return (paths, null);
    }

    /// <summary>
    /// One face of a TrueType collection as a font file of its own: its table directory, and each table it names
    /// copied after it (4-byte aligned) with the directory's offsets moved to match.
    /// </summary>
    private static byte[] FaceOf(byte[] collection, int index)
    {
        var span = collection.AsSpan();
        var start = checked((int)BinaryPrimitives.ReadUInt32BigEndian(span[(12 + (4 * index))..]));
        int tables = BinaryPrimitives.ReadUInt16BigEndian(span[(start + 4)..]);
        var header = 12 + (16 * tables);
        var size = header;
        for (var t = 0; t < tables; t++) size += Aligned(BinaryPrimitives.ReadUInt32BigEndian(span[(start + 12 + (16 * t) + 12)..]));
        var face = new byte[size];
        span.Slice(start, header).CopyTo(face);
        var at = header;
        for (var t = 0; t < tables; t++)
        {
            var record = start + 12 + (16 * t);
            var offset = checked((int)BinaryPrimitives.ReadUInt32BigEndian(span[(record + 8)..]));
            var length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(span[(record + 12)..]));
            span.Slice(offset, length).CopyTo(face.AsSpan(at));
            BinaryPrimitives.WriteUInt32BigEndian(face.AsSpan(12 + (16 * t) + 8), (uint)at);
            at += Aligned((uint)length);
        }

        return face;
    }

    private static int Aligned(uint length) => checked((int)((length + 3) & ~3u));
}
