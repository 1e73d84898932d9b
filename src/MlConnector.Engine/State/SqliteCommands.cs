using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MlConnector.Engine.State;

/// <summary>Small helpers shared by the state tables: parameterised commands and SQLite errors as <see cref="StateStoreException"/>.</summary>
internal static class SqliteCommands
{
    public static SqliteCommand Create(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
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

    public static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
