using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Tenure.Engine.Tests;

/// <summary><c>tenure serve --demo</c> as a real process: demo data over HTTP, and a clean exit on SIGTERM.</summary>
public sealed class ServeTests
{
    [Fact]
    public async Task Serve_demo_shows_every_state_and_SIGTERM_stops_it_cleanly()
    {
        var file = Fixtures.SqliteFile();
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "tenure.dll");
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" serve --demo --urls http://127.0.0.1:{port}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["Tenure__OperatorKey"] = "op-serve-test";
        info.Environment["Tenure__Db"] = file; // options also come from configuration
        using var serve = Process.Start(info)!;
        string? demoKey = null;
        while (await serve.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            if (line.StartsWith("Demo account key (acc-demo): ", StringComparison.Ordinal))
            {
                demoKey = line[^"tnr_000000000000_00000000000000000000000000000000".Length..];
            }

            if (line.StartsWith("Tenure listens on", StringComparison.Ordinal)) break;
        }

        Assert.NotNull(demoKey);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);
                if (health.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", demoKey);
        var instances = await http.GetStringAsync(new Uri("/v1/instances", UriKind.Relative), TestContext.Current.CancellationToken);
        var list = JsonNode.Parse(instances)!["items"]!.AsArray();
        var states = list.ToDictionary(i => i!["id"]!.ToString(), i => $"{i!["status"]} {i["renewal"]!["mode"]} {i["chargeType"]}");
        Assert.Equal("running auto subscription", states["i-demo-auto"]);
        Assert.Equal("running manual subscription", states["i-demo-manual"]);
        Assert.Equal("running noRenew subscription", states["i-demo-norenew"]);
        Assert.Equal("stopped manual subscription", states["i-demo-stopped"]);
        Assert.Equal("released manual subscription", states["i-demo-released"]);
        Assert.Equal("running manual payg", states["i-demo-payg"]);

        using (var term = Process.Start("kill", $"-TERM {serve.Id}")) await term!.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(serve.WaitForExit(15_000), "serve did not stop on SIGTERM");
        Assert.Equal(0, serve.ExitCode);
        Storage.Database.DeleteSqliteFiles(file);
    }
}
