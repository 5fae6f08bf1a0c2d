using Dapper;
using Microsoft.Data.Sqlite;

namespace Tenure.Storage.Tests;

/// <summary>
/// The SQLite command writer (DESIGN.md, "One command path"): commands queued together run as one
/// group, each in its own savepoint, under one COMMIT; answers come only after that commit.
/// </summary>
public sealed class GroupCommitTests : IAsyncDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"tenure-group-{Guid.NewGuid():N}.db");
    private readonly Database _db;
    private readonly Writer _writer;

    public GroupCommitTests()
    {
        _db = Database.Sqlite(_file);
        _db.Migrate();
        _writer = new Writer(_db);
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        Database.DeleteSqliteFiles(_file);
    }

    /// <summary>Queues the commands while the write gate is held, so that all of them form one group, then lets the group run.</summary>
    private async Task<Task<string>[]> OneGroup(params Func<Session, Task<string>>[] commands)
    {
        Task<string>[] answers;
        using (var engineBatch = _db.Begin())
        {
            answers = [.. commands.Select(c => _writer.RunAsync(c, TestContext.Current.CancellationToken))];
            await Task.Delay(100, TestContext.Current.CancellationToken); // the writer has taken them off the queue and waits for the gate
            Assert.All(answers, a => Assert.False(a.IsCompleted, "an answer came before the group's commit"));
            engineBatch.Commit();
        }

        await Task.WhenAll(answers.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default)));
        return answers;
    }

    private static Func<Session, Task<string>> AddClock(string id, Func<Session, Task>? then = null) => async session =>
    {
        session.Execute("INSERT INTO test_clocks (id, frozen_time, created_at) VALUES (@id, 0, 0)", new { id });
        if (then is not null) await then(session);
        return id;
    };

    private List<string> Clocks()
    {
        using var connection = new SqliteConnection($"Data Source={_file}"); // a connection of its own: only what was committed
        connection.Open();
        return [.. connection.Query<string>("SELECT id FROM test_clocks ORDER BY id")];
    }

    [Fact]
    public async Task A_refused_command_inside_a_group_changes_nothing_and_its_neighbours_commit()
    {
        var answers = await OneGroup(AddClock("a"), AddClock("b", s => s.UndoAsync()), AddClock("c"));
        Assert.Equal(["a", "b", "c"], answers.Select(a => a.Result));
        Assert.Equal(["a", "c"], Clocks());
    }

    [Fact]
    public async Task A_failed_command_does_not_undo_its_neighbours()
    {
        var answers = await OneGroup(AddClock("a"), AddClock("b", _ => throw new InvalidOperationException("boom")), AddClock("c"));
        Assert.Equal("a", await answers[0]);
        Assert.Equal("boom", (await Assert.ThrowsAsync<InvalidOperationException>(() => answers[1])).Message);
        Assert.Equal("c", await answers[2]);
        Assert.Equal(["a", "c"], Clocks());
    }

    [Fact]
    public async Task A_failed_statement_is_undone_alone_even_after_its_command_wrote()
    {
        // The second command writes a row, then breaks the primary key: its own row goes, the group's stay.
        const string again = "INSERT INTO test_clocks (id, frozen_time, created_at) VALUES ('a', 0, 0)";
        var answers = await OneGroup(AddClock("a"), AddClock("b", s => Task.FromResult(s.Execute(again))));
        Assert.Equal("a", await answers[0]);
        await Assert.ThrowsAsync<SqliteException>(() => answers[1]);
        Assert.Equal(["a"], Clocks());
    }

    [Fact]
    public async Task An_fsynced_commit_precedes_every_answer()
    {
        var seen = new List<(string Id, List<string> Committed)>();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            var id = $"c{i:00}";
            await _writer.RunAsync(AddClock(id, s =>
            {
                // synchronous=FULL on the writer's connection: its COMMIT returns once the WAL is fsync'd.
                Assert.Equal(2, s.Single<long>("PRAGMA synchronous"));
                return Task.CompletedTask;
            }), TestContext.Current.CancellationToken);
            lock (seen) seen.Add((id, Clocks()));
        }));
        Assert.All(seen, s => Assert.Contains(s.Id, s.Committed));
        Assert.Equal(40, Clocks().Count);
    }
}
