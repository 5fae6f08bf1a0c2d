using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using SQLitePCL;

namespace Tenure.Storage;

/// <summary>
/// The SQLite calls made per row and per column (bind, step, reset, read), on a statement's native pointer, from the
/// library SQLitePCL loaded. Through SQLitePCL each call counted the statement's SafeHandle up and down, and each text
/// bind allocated its UTF-8 copy: a renewal day of a million instances makes about a hundred million of them
/// (docs/benchmarks.md). A pointer is taken only from a statement in <see cref="RowBuffer"/>'s cache, which holds the
/// statement for as long as its connection lives; errors are still read through the connection's handle.
/// </summary>
internal static unsafe partial class SqliteNative
{
    private const string Library = "e_sqlite3";

    // SQLITE_TRANSIENT: SQLite copies the text before the bind returns, so the buffer may be on the stack.
    private const nint Transient = -1;

    private const int StackBytes = 1024;

    /// <summary>SQLITE_CONFIG_STMTJRNL_SPILL, which SQLitePCL does not name.</summary>
    private const int StatementJournalSpill = 26;

    /// <summary>
    /// SQLite's process-wide settings, which it takes only before its first use and after that refuses (MISUSE), keeping its
    /// defaults, which changes nothing but speed:
    /// <list type="bullet">
    /// <item>No memory statistics (Tenure reads none; with them, each of SQLite's allocations takes a process-wide mutex).</item>
    /// <item>A statement journal stays in memory (-1), where it went to a temporary file past 64 KiB. A multi-row insert of
    /// <see cref="RowBuffer"/> keeps one, as it may fail on a unique key half-way; on file, a test clock's year made four times
    /// the writes it makes now (docs/benchmarks.md, "Statement journals in memory"). The journal holds the original of each
    /// page the statement changes: a batch's rows take a few MiB; a statement that rewrites a whole table holds the table.
    /// No bound between is possible: SQLite writes a spilled journal in chunks of the spill size, and its file writes take
    /// at most 128 KiB, so a spill size above that fails the statement with SQLITE_FULL (measured).</item>
    /// </list>
    /// </summary>
    public static void Configure()
    {
        Batteries_V2.Init();
        foreach (var (option, value) in new[] { (raw.SQLITE_CONFIG_MEMSTATUS, 0), (StatementJournalSpill, -1) })
        {
            var rc = raw.sqlite3_config(option, value);
            if (rc is raw.SQLITE_OK or raw.SQLITE_MISUSE) continue;
            throw new InvalidOperationException($"SQLite refused setting {option}: {rc}.");
        }
    }

    public static int BindText(nint statement, int index, string text)
    {
        var most = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = most > StackBytes ? ArrayPool<byte>.Shared.Rent(most) : null;
        try
        {
            Span<byte> buffer = rented is null ? stackalloc byte[StackBytes] : rented;
            var length = Encoding.UTF8.GetBytes(text, buffer);
            fixed (byte* bytes = buffer) return BindTextBytes(statement, index, bytes, length, Transient);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static bool IsNull(nint statement, int column) => ColumnType(statement, column) == raw.SQLITE_NULL;

    /// <summary>A text column that is not NULL; its bytes are counted after the text is taken, as SQLite asks.</summary>
    public static string Text(nint statement, int column)
    {
        var text = ColumnText(statement, column);
        if (text is null) throw new InvalidOperationException($"Column {column} is NULL (or SQLite is out of memory).");
        return Encoding.UTF8.GetString(text, ColumnBytes(statement, column));
    }

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_null")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int BindNull(nint statement, int index);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_int64")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int BindLong(nint statement, int index, long value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_text")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    private static partial int BindTextBytes(nint statement, int index, byte* text, int bytes, nint destructor);

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int Step(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_reset")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int Reset(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_clear_bindings")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int ClearBindings(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_type")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    private static partial int ColumnType(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_int64")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial long Long(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_text")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    private static partial byte* ColumnText(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_bytes")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    private static partial int ColumnBytes(nint statement, int column);
}
