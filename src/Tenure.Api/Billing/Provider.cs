namespace Tenure.Api;

/// <summary>The provider that issues receipts and statements (R8.8); its address may span lines (<c>\n</c>).</summary>
public sealed record Provider(string Name, string Address)
{
    public static Provider Default { get; } = new("Tenure", string.Empty);

    public IReadOnlyList<string> AddressLines =>
        [.. Address.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
}
