using Spectre.Console;
using Tenure.Cli;

namespace Tenure.Engine.Tests;

public sealed class TimelineCliTests
{
    private static (int Code, string Out, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 240;
        var code = TenureCli.Run(args, console, error);
        return (code, output.ToString(), error.ToString());
    }

    private static List<string> Rows(string output) =>
        output.Split('\n').Where(l => l.TrimStart().StartsWith("20", StringComparison.Ordinal))
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(5))).ToList();

    [Fact]
    public void R4_3_timeline_prints_the_whole_future_of_an_auto_instance_in_local_time_and_utc()
    {
        var (code, output, error) = Run(
            "timeline", "--product", "ecs", "--spec", "ecs.small", "--purchased", "2019-01-29T10:00", "--months", "2", "--mode", "auto");
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.Equal(
        [
            "2019-01-29 10:00 2019-01-29 02:00Z purchased",
            "2019-03-23 08:00 2019-03-23 00:00Z reminderSent",
            "2019-03-23 08:00 2019-03-23 00:00Z lowBalance",
            "2019-03-27 08:00 2019-03-27 00:00Z autoRenewFailed",
            "2019-03-29 08:00 2019-03-29 00:00Z autoRenewFailed",
            "2019-03-30 00:00 2019-03-29 16:00Z expired",
            "2019-03-30 08:00 2019-03-30 00:00Z autoRenewFailed",
            "2019-04-05 08:00 2019-04-05 00:00Z autoRenewFailed",
            "2019-04-13 08:00 2019-04-13 00:00Z autoRenewFailed",
            "2019-04-14 00:00 2019-04-13 16:00Z stopped",
            "2019-04-28 00:00 2019-04-27 16:00Z releaseWarningSent",
            "2019-04-29 00:00 2019-04-28 16:00Z released",
        ], Rows(output));
        Assert.Contains("Released 2019-04-29 00:00", output, StringComparison.Ordinal);
    }

    [Fact]
    public void R1_1_timeline_follows_the_zone_given()
    {
        var (code, output, _) = Run("timeline", "--product", "mqtt", "--spec", "mqtt.basic.1k", "--purchased", "2019-01-29T10:00",
            "--mode", "noRenew", "--zone", "Europe/Berlin");
        Assert.Equal(0, code);
        Assert.Equal(
        [
            "2019-01-29 10:00 2019-01-29 09:00Z purchased",
            "2019-03-01 00:00 2019-02-28 23:00Z expired",
            "2019-03-01 00:00 2019-02-28 23:00Z reminderSent",
            "2019-03-01 00:00 2019-02-28 23:00Z stopped",
            "2019-03-07 00:00 2019-03-06 23:00Z releaseWarningSent",
            "2019-03-08 00:00 2019-03-07 23:00Z released",
        ], Rows(output));
    }

    [Theory]
    [InlineData(new[] { "timeline", "--product", "ecs" }, "--spec")]
    [InlineData(new[] { "timeline", "--product", "ecs", "--spec", "ecs.small", "--purchased", "yesterday" }, "not a local time")]
    [InlineData(
        new[] { "timeline", "--product", "ecs", "--spec", "ecs.small", "--purchased", "2019-01-29T10:00", "--zone", "Mars/Base" }, "IANA")]
    [InlineData(
        new[] { "timeline", "--product", "ecs", "--spec", "ecs.small", "--purchased", "9999-06-01T10:00", "--months", "12" },
        "years 1900")]
    [InlineData(new[] { "timeline", "--product", "ecs", "--spec", "ecs.tiny", "--purchased", "2019-01-29T10:00" }, "no spec 'ecs.tiny'")]
    [InlineData(
        new[] { "timeline", "--product", "ecs", "--spec", "ecs.small", "--purchased", "2019-01-29T10:00", "--mode", "sometimes" },
        "sometimes")]
    [InlineData(
        new[] { "timeline", "--product", "ecs", "--spec", "ecs.small", "--purchased", "2019-01-29T10:00", "--months", "10" },
        "invalid-period")]
    public void Timeline_bad_arguments_get_a_clear_message_and_a_non_zero_exit(string[] args, string expected)
    {
        var (code, output, error) = Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("purchased", output, StringComparison.Ordinal);
    }
}
