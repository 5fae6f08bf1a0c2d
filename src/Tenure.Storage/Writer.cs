using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Tenure.Storage;

/// <summary>
/// Runs commands, each in one unit of work with everything it writes. On SQLite one writer drains
/// the queue in groups: each command runs in its own SAVEPOINT, so a refusal or a failure undoes
/// only that command, and one COMMIT (one fsync) covers the group; every caller gets its answer
/// only after that commit. On PostgreSQL each command is its own transaction, awaited throughout.
/// </summary>
public sealed class Writer : IAsyncDisposable
{
    private readonly Database _database;
    private readonly int _maxGroup;
    private readonly Channel<Queued>? _queue;
    private readonly Task? _loop;

    /// <param name="maxGroup">The most commands one SQLite commit covers.</param>
    public Writer(Database database, int maxGroup = 256)
    {
        _database = database;
        _maxGroup = maxGroup;
        if (database.Dialect != Dialect.Sqlite) return;
        _queue = Channel.CreateUnbounded<Queued>(new UnboundedChannelOptions { SingleReader = true });
        _loop = Task.Run(DrainAsync);
    }

    /// <summary>The database the commands write to.</summary>
    public Database Database => _database;

    /// <summary>Runs <paramref name="command"/> in a unit of work and commits what it wrote; the result comes after the commit.</summary>
    public async Task<T> RunAsync<T>(Func<Session, Task<T>> command, CancellationToken cancellationToken = default)
    {
        if (_queue is null)
        {
            await using var session = await Session.BeginAsync(_database, cancellationToken).ConfigureAwait(false);
            var result = await command(session).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }

        var queued = new Queued<T>(command);
        await _queue.Writer.WriteAsync(queued, cancellationToken).ConfigureAwait(false);
        return await queued.Answer.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_queue is null || _loop is null) return;
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task DrainAsync()
    {
        var reader = _queue!.Reader;
        var group = new List<Queued>(_maxGroup);
        var gate = _database.WriterGate;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // The engine's batches write between groups, never inside one; commands that queue while one runs join the next group.
            await gate.WaitAsync().ConfigureAwait(false);
            try
            {
                group.Clear();
                while (group.Count < _maxGroup && reader.TryRead(out var next)) group.Add(next);
                await RunGroupAsync(group).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private async Task RunGroupAsync(List<Queued> group)
    {
        var done = new List<Queued>(group.Count);
        try
        {
            using var connection = (SqliteConnection)_database.Open();
            using var transaction = connection.BeginTransaction(); // BEGIN IMMEDIATE: the write lock for the whole group
            foreach (var command in group)
            {
                var session = new Session(_database, connection, transaction, "command");
                try
                {
                    await command.RunAsync(session).ConfigureAwait(false);
                    session.Commit();
                    done.Add(command);
                }
                catch (Exception e)
                {
                    // This command's failure is its caller's answer (a 500, nothing stored); its neighbours go on.
                    session.Dispose();
                    command.Fail(e);
                }
            }

            transaction.Commit(); // synchronous=FULL: durable before anyone hears of it
        }
        catch (Exception e)
        {
            // The group's transaction failed (BEGIN, a savepoint, COMMIT): nothing of it is durable, so no one is told it was.
            foreach (var command in group) command.Fail(e);
            return;
        }

        foreach (var command in done) command.Complete();
    }

    private abstract class Queued
    {
        public abstract Task RunAsync(Session session);

        public abstract void Complete();

        public abstract void Fail(Exception error);
    }

    private sealed class Queued<T>(Func<Session, Task<T>> command) : Queued
    {
        private readonly TaskCompletionSource<T> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Answer => _answer.Task;

        public override async Task RunAsync(Session session) => _result = await command(session).ConfigureAwait(false);

        public override void Complete() => _answer.TrySetResult(_result!);

        public override void Fail(Exception error) => _answer.TrySetException(error);
    }
}
