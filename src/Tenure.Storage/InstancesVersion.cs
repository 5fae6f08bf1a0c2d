namespace Tenure.Storage;

/// <summary>
/// Issue 16: <c>accounts.instances_version</c>, moved by one by every unit of work that writes any of the account's instances,
/// so that a reader who kept something planned from them (the engine's R8.7 forecast books across a test-clock advance) sees
/// in the account's row, read with the account, whether anyone wrote them since.
/// </summary>
public sealed partial class Session
{
    /// <summary>The version each account read here had, plus one once this unit of work wrote one of its instances.</summary>
    private readonly Dictionary<string, long> _instancesVersions = new(StringComparer.Ordinal);

    /// <summary>The accounts whose instances this unit of work wrote (their version moves once), and those whose move is unsent.</summary>
    private readonly HashSet<string> _instancesBumped = new(StringComparer.Ordinal);
    private readonly HashSet<string> _bumpsToSend = new(StringComparer.Ordinal);

    /// <summary>
    /// The version of the account's instances as this unit of work leaves them: what <see cref="Accounts"/> read, plus one if
    /// it wrote any of them. Under the account's lock (<c>forUpdate</c>; SQLite has one writer) no one else moves it meanwhile.
    /// </summary>
    public long InstancesVersion(string accountId) =>
        _instancesVersions.TryGetValue(accountId, out var version)
            ? version
            : throw new InvalidOperationException($"Account {accountId} was not read in this unit of work.");

    private void RememberInstancesVersion(AccountRow row) => _instancesVersions[row.Id] = row.InstancesVersion;

    /// <summary>Moves the account's version once in this unit of work, when the first of its instances is written.</summary>
    private void BumpInstancesVersion(string accountId)
    {
        if (!_instancesBumped.Add(accountId)) return;
        _bumpsToSend.Add(accountId);
        if (_instancesVersions.TryGetValue(accountId, out var version)) _instancesVersions[accountId] = version + 1;
    }

    /// <summary>
    /// An account this unit of work creates: no one can have kept anything of its instances, so writing them moves nothing
    /// (and a test that writes data as an older schema had it, before 0025, still can).
    /// </summary>
    private void NoInstancesVersionMove(string accountId) => _instancesBumped.Add(accountId);

    /// <summary>1 when the account's version move is still to send, and then it goes with the account's update; otherwise 0.</summary>
    private long InstancesVersionMove(string accountId) => _bumpsToSend.Remove(accountId) ? 1L : 0L;

    /// <summary>The moves of accounts this unit of work did not otherwise update, as buffered rows.</summary>
    private void BufferInstancesVersions()
    {
        foreach (var id in _bumpsToSend)
        {
            _rows.Add("WITH v (id) AS (VALUES",
                ") UPDATE accounts SET instances_version = accounts.instances_version + 1 FROM v WHERE accounts.id = v.id",
                "UPDATE accounts SET instances_version = instances_version + 1 WHERE id = ?1", [id]);
        }

        _bumpsToSend.Clear();
    }

    /// <summary>After an undo nothing of this unit of work was written, and what was read may be gone: read again.</summary>
    private void ForgetInstancesVersions()
    {
        _instancesVersions.Clear();
        _instancesBumped.Clear();
        _bumpsToSend.Clear();
    }
}
