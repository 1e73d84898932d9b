using System.Globalization;
using Microsoft.Data.Sqlite;
using static MlConnector.Engine.State.Sqlite.SqliteCommands;

namespace MlConnector.Engine.State.Sqlite;

/// <summary>One pair's Marketo calls per Marketo day in the marketo_calls table; days older than a week are dropped as new ones are added.</summary>
internal sealed class SqliteMarketoCalls(SqliteConnection connection, string pairId) : IMarketoCallCounts
{
    private const int KeepDays = 7;

    public long Get(DateOnly day) => Guard(() =>
    {
        using var command = Create(connection, "SELECT calls FROM marketo_calls WHERE pair_id = $pair AND day = $day;", ("$pair", pairId), ("$day", Day(day)));
        return command.ExecuteScalar() is long calls ? calls : 0L;
    });

    public long Add(DateOnly day, long calls, DateTimeOffset now) => Guard(() =>
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        (string, object?) pair = ("$pair", pairId), named = ("$day", Day(day));
        using (var add = Create(connection, transaction, """
            INSERT INTO marketo_calls(pair_id, day, calls, updated_at) VALUES ($pair, $day, $calls, $now)
            ON CONFLICT(pair_id, day) DO UPDATE SET calls = marketo_calls.calls + excluded.calls, updated_at = excluded.updated_at;
            """, pair, named, ("$calls", calls), ("$now", Time(now))))
            add.ExecuteNonQuery();
        using (var prune = Create(connection, transaction, "DELETE FROM marketo_calls WHERE pair_id = $pair AND day < $oldest;", pair, ("$oldest", Day(day.AddDays(-KeepDays)))))
            prune.ExecuteNonQuery();
        long total;
        using (var read = Create(connection, transaction, "SELECT calls FROM marketo_calls WHERE pair_id = $pair AND day = $day;", pair, named))
            total = Convert.ToInt64(read.ExecuteScalar(), CultureInfo.InvariantCulture);
        transaction.Commit();
        return total;
    });

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
