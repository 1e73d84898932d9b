using Microsoft.Data.Sqlite;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using SQLitePCL;

namespace MlConnector.Engine.Tests.State;

/// <summary>
/// Two processes asking for a pair's lease at once are serialised by SQLite's write lock: one that asks while the first
/// has read the lease and not yet written it is refused as busy, and the first gets the lease.
/// </summary>
public sealed class SqliteLeaseRaceTests : IDisposable
{
    private const string PairId = "pair-00000000000000f1";
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-lease-race-").FullName;

    private static LeaseHolder Holder(string id) => new(id, 1, "host", T0, T0.AddMinutes(2));

    private static SqliteConnection Connect(string path, int busyTimeoutSeconds)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = busyTimeoutSeconds }.ToString());
        connection.Open();
        return connection;
    }

    [Fact]
    public void A_process_asking_between_the_other_ones_read_and_write_of_the_lease_is_refused_as_busy()
    {
        var path = Path.Combine(_folder, "state.db");
        SqliteStateStore.Open(path).Dispose();
        using var first = Connect(path, 30);
        // Microsoft.Data.Sqlite reads a busy timeout of 0 as none: the second waits for the write lock a second, then gives up.
        using var second = Connect(path, 1);
        var firstLeases = new SqliteLeases(new SqliteLeaseConnection(() => first), PairId);
        var secondLeases = new SqliteLeases(new SqliteLeaseConnection(() => second), PairId);
        StateStoreException? refused = null;
        var asked = false;
        raw.sqlite3_trace(first.Handle, (_, sql) =>
        {
            if (asked || !sql.Contains("INSERT INTO leases", StringComparison.Ordinal)) return;
            asked = true;
            // Nothing may be thrown back into SQLite's callback: the outcome is kept for the asserts.
            try
            {
                secondLeases.TryAcquire(Holder("second"), T0);
            }
            catch (StateStoreException e)
            {
                refused = e;
            }
        }, null);

        var attempt = firstLeases.TryAcquire(Holder("first"), T0);

        Assert.True(asked);
        Assert.NotNull(refused);
        Assert.Contains("locked", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(attempt.Acquired);
        Assert.Equal("first", secondLeases.Current(T0)?.HolderId);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
