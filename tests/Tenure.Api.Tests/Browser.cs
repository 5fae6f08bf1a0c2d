using Microsoft.Playwright;

namespace Tenure.Api.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright, headless, with the flags this machine needs (no
/// background networking: the network is closed). Without <c>/usr/bin/chromium</c> the browser
/// tests skip with the reason, except under CI=true, where they fail.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Instance { get; private set; } = null!;

    public static string? Unavailable =>
        File.Exists(Chromium) ? null : $"{Chromium} is missing: apt-get install chromium (the browser tests skip without it).";

    /// <summary>Where screenshots go: artifacts/screenshots at the repository root (kept by CI as test artifacts).</summary>
    public static string Screenshots { get; } = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");

    public async ValueTask InitializeAsync()
    {
        if (Unavailable is not null && Environment.GetEnvironmentVariable("CI") != "true") return;
        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
    }

    /// <summary>A fresh page, with JavaScript off unless asked (every console flow must work without it; axe needs it).</summary>
    public async Task<IPage> Page(bool javaScript = false)
    {
        if (Unavailable is { } reason && Environment.GetEnvironmentVariable("CI") != "true") Assert.Skip(reason);
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions
        {
            JavaScriptEnabled = javaScript, ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_playwright is null) return;
        await Instance.DisposeAsync();
        _playwright.Dispose();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tenure.slnx"))) return dir.FullName;
        }

        return Path.GetTempPath();
    }
}
