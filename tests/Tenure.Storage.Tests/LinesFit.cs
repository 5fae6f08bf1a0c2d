namespace Tenure.Storage.Tests;

/// <summary>STYLE.md: lines of at most 140 characters, in every C# and Razor file of the source, the tests and the bench.</summary>
public sealed class LinesFit
{
    private const int Most = 140;

    [Fact]
    public void No_line_of_code_is_longer_than_140_characters()
    {
        var found = new[] { "src", "tests", "bench" }
            .SelectMany(folder => Repository.Files(folder, "*.cs").Concat(Repository.Files(folder, "*.razor")))
            .SelectMany(file => Repository.Read(file).Split('\n')
                .Select((line, i) => (File: file, Line: i + 1, Length: line.TrimEnd('\r').Length)))
            .Where(l => l.Length > Most)
            .Select(l => $"{l.File}:{l.Line} has {l.Length} characters")
            .ToList();

        Assert.Empty(found);
    }
}
