using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Tenure.Engine.Tests;

/// <summary>The README's walkthrough, pasted as one block into bash, runs: it waited for no server before its first curl.</summary>
public sealed partial class ReadmeWalkthroughTests
{
    [Fact]
    public async Task README_walkthrough_runs_pasted_as_one_block_waiting_for_readyz()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Tenure.slnx")))
        {
            root = root.Parent ?? throw new InvalidOperationException("No Tenure.slnx above the tests.");
        }
        var readme = await File.ReadAllTextAsync(Path.Combine(root.FullName, "README.md"), TestContext.Current.CancellationToken);
        var section = readme[readme.IndexOf("## A walk through the API with curl", StringComparison.Ordinal)..];
        var block = ShellBlock().Match(section).Groups[1].Value;
        Assert.Contains("/readyz", block, StringComparison.Ordinal);

        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var directory = Directory.CreateTempSubdirectory("tenure-walk-");
        try
        {
            // The README's own lines, with the built executable for `dotnet run`, a free port and a fresh database.
            var script = block
                .Replace("dotnet run --project src/Tenure.Cli --", $"dotnet {CliProcess.Tenure}", StringComparison.Ordinal)
                .Replace("5080", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("walk.db", Path.Combine(directory.FullName, "walk.db"), StringComparison.Ordinal);
            var wrapped = $"set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n{script}";
            var (code, output, error) = await CliProcess.Run("bash", ["-c", wrapped], null, [], directory.FullName, timeoutSeconds: 120);
            Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
            Assert.Matches(@"2019-0\d-\d\dT\d\d:00:00Z renewed", output); // the clock ran the cycle's attempt
            Assert.Contains("Paid order o-", output, StringComparison.Ordinal); // and the CLI paid its quote
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [GeneratedRegex("```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
