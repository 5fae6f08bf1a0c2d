using NodaTime;
using NodaTime.Testing;
using Spectre.Console;
using Tenure.Cli;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;
using static Tenure.Engine.Tests.Fixtures;

namespace Tenure.Engine.Tests;

public sealed class EngineServiceTests : MigratedSqlite
{
    [Fact]
    public async Task R1_4_the_system_clock_engine_runs_what_falls_due_and_stops_between_batches()
    {
        var accountId = NewAccount(Db, Session.SystemClock, 5000, Local("2019-03-01 09:00"));
        string id;
        using (var session = Db.Begin())
        {
            id = Buy(session, accountId, Session.SystemClock, "mqtt", "mqtt.basic.1k", 1, Local("2019-03-01 10:00"), autoRenew: false)
                .Id.Value;
            session.Commit();
        }

        var clock = new FakeClock(Local("2019-03-26 07:59"));
        using var service = new EngineService(new LifecycleEngine(Db, Rules), Db, clock, TimeSpan.FromMilliseconds(50),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<EngineService>.Instance);
        await service.StartAsync(TestContext.Current.CancellationToken);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal(0, Count("SELECT COUNT(*) FROM notices"));

        clock.Advance(Duration.FromMinutes(1)); // T-7 08:00: the engine sees it at its next poll
        for (var i = 0; i < 100 && Count("SELECT COUNT(*) FROM notices") == 0; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        await service.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, Count("SELECT COUNT(*) FROM notices"));
        Assert.Equal(["purchased", "reminderSent"], Query($"SELECT kind FROM timeline_events WHERE instance_id = '{id}' ORDER BY id"));
    }

    [Theory]
    [InlineData("2", "error: Tenure:EngineWorkers above 1 needs PostgreSQL: SQLite has one writer.")]
    [InlineData("0", "error: Tenure:EngineWorkers must be between 1 and 16.")]
    [InlineData("two", "error: Tenure:EngineWorkers 'two' is not a whole number.")]
    public async Task Serve_refuses_engine_workers_SQLite_cannot_run_before_it_touches_the_database(string workers, string error)
    {
        var file = SqliteFile();
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "tenure.dll"), "serve", "--db", file })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["Tenure__EngineWorkers"] = workers;
        using var serve = System.Diagnostics.Process.Start(info)!;
        var stderr = serve.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = await serve.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await serve.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Usage, serve.ExitCode);
        Assert.Equal(error, (await stderr).Trim());
        Assert.Empty(stdout);
        Assert.False(File.Exists(file), "serve created the database before it refused its settings");
    }

    [Fact]
    public void Verify_command_exits_1_and_names_each_violation()
    {
        var accountId = NewAccount(Db, Session.SystemClock, 5000, Local("2019-03-01 09:00"));
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(output) });
        Assert.Equal(0, TenureCli.Run(["verify", "--db", DbFile], console, TextWriter.Null));
        Assert.Contains("verify: no violations.", output.ToString(), StringComparison.Ordinal);

        using (var session = Db.Begin())
        {
            session.Execute("UPDATE accounts SET balance = 1 WHERE id = @accountId", new { accountId });
            session.Commit();
        }

        output.GetStringBuilder().Clear();
        Assert.Equal(1, TenureCli.Run(["verify", "--db", DbFile], console, TextWriter.Null));
        Assert.Contains($"balance differs from the ledger (R7.4): {accountId}: balance 1, ledger 5000", output.ToString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_on_a_missing_database_says_the_file_does_not_exist_creates_nothing_and_exits_4()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"tenure-missing-{Guid.NewGuid():N}.db");
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(output) });

        Assert.Equal(4, TenureCli.Run(["verify", "--db", missing], console, error));

        Assert.False(File.Exists(missing));
        Assert.Contains($"the database file '{missing}' does not exist", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", error.ToString() + output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_on_an_unmigrated_database_file_says_so_and_exits_4()
    {
        var empty = Path.Combine(Path.GetTempPath(), $"tenure-empty-{Guid.NewGuid():N}.db");
        File.WriteAllBytes(empty, []);
        try
        {
            var error = new StringWriter();
            var console =
                AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Out = new AnsiConsoleOutput(TextWriter.Null) });
            Assert.Equal(4, TenureCli.Run(["verify", "--db", empty], console, error));
            Assert.Contains("not up to date; run tenure migrate", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Database.DeleteSqliteFiles(empty);
        }
    }

    private long Count(string sql)
    {
        using var session = Db.Begin();
        return session.Single<long>(sql);
    }

    private List<string> Query(string sql)
    {
        using var session = Db.Begin();
        return [.. session.Query<string>(sql)];
    }
}
