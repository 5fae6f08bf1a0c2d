namespace Tenure.Storage.Tests;

/// <summary>The checkout the tests run from: the folder holding Tenure.slnx, and its source files.</summary>
internal static class Repository
{
    public static DirectoryInfo Root { get; } = FindRoot();

    /// <summary>
    /// The repository-relative paths (with '/') of the files under <paramref name="folder"/> matching
    /// <paramref name="pattern"/>, build output left out.
    /// </summary>
    public static IEnumerable<string> Files(string folder, string pattern) =>
        Directory.EnumerateFiles(Path.Combine(Root.FullName, folder), pattern, SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Root.FullName, path).Replace('\\', '/'))
            .Where(file => !file.Contains("/obj/", StringComparison.Ordinal) && !file.Contains("/bin/", StringComparison.Ordinal));

    public static string Read(string file) => File.ReadAllText(Path.Combine(Root.FullName, file));

    private static DirectoryInfo FindRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Tenure.slnx")))
        {
            root = root.Parent ?? throw new InvalidOperationException("No Tenure.slnx above the test binaries.");
        }

        return root;
    }
}
