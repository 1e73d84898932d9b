using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace MlConnector.Engine.State.Sqlite;

/// <summary>Small helpers shared by the state tables: parameterised commands, SQLite errors as <see cref="StateStoreException"/>, times and patterns.</summary>
internal static class SqliteCommands
{
    public static SqliteCommand Create(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static SqliteCommand Create(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Create(connection, sql, parameters);
        command.Transaction = transaction;
        return command;
    }

    public static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (SqliteException ex)
        {
            throw new StateStoreException("The state database could not be read or written: " + ex.Message, ex);
        }
    }

    public static void Guard(Action action) => Guard(() =>
    {
        action();
        return 0;
    });

    public static string Time(DateTimeOffset value) => StateTime.Format(value);

    public static DateTimeOffset ParseTime(string value) => StateTime.Parse(value);

    /// <summary>
    /// " AND (column LIKE $p0 ESCAPE '\' OR ...)" for source-number patterns (* and ?), with its parameters added to the
    /// command; empty when there are none. SQLite's LIKE ignores ASCII case.
    /// </summary>
    public static string MatchingAny(SqliteCommand command, string column, IReadOnlyCollection<string>? patterns)
    {
        if (patterns is null || patterns.Count == 0) return "";
        var terms = new List<string>(patterns.Count);
        foreach (var pattern in patterns)
        {
            var name = "$pattern" + terms.Count.ToString(CultureInfo.InvariantCulture);
            command.Parameters.AddWithValue(name, ToLike(pattern));
            terms.Add($"{column} LIKE {name} ESCAPE '\\'");
        }
        return " AND (" + string.Join(" OR ", terms) + ")";
    }

    private static string ToLike(string pattern)
    {
        var like = new StringBuilder(pattern.Length);
        foreach (var c in pattern)
        {
            like.Append(c switch
            {
                '*' => "%",
                '?' => "_",
                '%' or '_' or '\\' => "\\" + c,
                _ => c.ToString(),
            });
        }
        return like.ToString();
    }
}
