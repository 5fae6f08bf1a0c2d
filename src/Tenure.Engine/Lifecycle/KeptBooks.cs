using Tenure.Domain.Renewals;
using Tenure.Storage;

namespace Tenure.Engine.Lifecycle;

/// <summary>
/// Issue 16: R8.7's forecast books kept across the batches of one pass of a clock (a test-clock advance), each with the
/// version of its account's instances that the batch which last kept it left (<see cref="Session.InstancesVersion"/>).
/// A later batch takes a book only while its account's version is still that one, read with the account under its
/// lock: a command or another engine that wrote any of the account's instances in between moved it, and the batch plans
/// the book afresh from the instances as they are. So a batch reads and plans an account's siblings once per pass, not
/// once per batch, and gets the same book as a fresh read.
/// </summary>
public sealed class KeptBooks
{
    private readonly Dictionary<string, (long Version, ForecastBook Book)> _books = new(StringComparer.Ordinal);

    /// <summary>The kept books of these accounts (read in <paramref name="session"/>) no one changed since; drops the others.</summary>
    internal Dictionary<string, ForecastBook> Current(Session session, IEnumerable<string> accountIds)
    {
        var current = new Dictionary<string, ForecastBook>(StringComparer.Ordinal);
        foreach (var id in accountIds)
        {
            if (!_books.TryGetValue(id, out var kept)) continue;
            if (kept.Version == session.InstancesVersion(id)) current[id] = kept.Book;
            else _books.Remove(id);
        }

        return current;
    }

    /// <summary>Keeps the books of a batch that committed, with the versions <paramref name="session"/> left.</summary>
    internal void Keep(Session session, Dictionary<string, ForecastBook> books)
    {
        foreach (var (id, book) in books) _books[id] = (session.InstancesVersion(id), book);
    }
}
