using System.Diagnostics;

namespace Tenure.Engine.Tests;

/// <summary>
/// A real process and what it printed: the built <c>tenure</c> with stdout piped, the same under a pseudo-terminal
/// (util-linux <c>script</c>), or bash. <c>TENURE_KEY</c> and <c>TENURE_SERVER</c> are never inherited.
/// </summary>
internal static class CliProcess
{
    public static string Tenure { get; } = Path.Combine(AppContext.BaseDirectory, "tenure.dll");

    /// <summary>The built <c>tenure</c>, stdout and stderr redirected (not a terminal).</summary>
    public static Task<(int Code, string Out, string Error)> Piped(
        IEnumerable<string> args, params (string Name, string Value)[] environment) =>
        Run("dotnet", [Tenure, .. args], null, environment);

    /// <summary>
    /// The built <c>tenure</c> on a pseudo-terminal 200 columns wide; <paramref name="typed"/> is what the user types.
    /// The terminal merges stdout and stderr.
    /// </summary>
    public static Task<(int Code, string Out, string Error)> OnTerminal(IEnumerable<string> args, string typed = "")
    {
        var command = string.Join(' ', new[] { "dotnet", Tenure }.Concat(args).Select(Quote));
        return Run("script", ["-qec", $"stty cols 200; {command}", "/dev/null"], typed, []);
    }

    public static async Task<(int Code, string Out, string Error)> Run(
        string file, IEnumerable<string> args, string? input, (string Name, string Value)[] environment, string? directory = null,
        int timeoutSeconds = 60)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = directory ?? AppContext.BaseDirectory,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment.Remove("TENURE_KEY");
        info.Environment.Remove("TENURE_SERVER");
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardInput.WriteAsync(input ?? string.Empty);
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true); // a server the script started goes with it
            throw new TimeoutException($"{file} did not finish in {timeoutSeconds} s: {await output}{await error}");
        }

        return (process.ExitCode, await output, await error);
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
