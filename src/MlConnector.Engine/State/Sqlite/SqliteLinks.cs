using Microsoft.Data.Sqlite;
using static MlConnector.Engine.State.Sqlite.SqliteCommands;

namespace MlConnector.Engine.State.Sqlite;

/// <summary>One pair's BC ↔ Marketo links in the links table.</summary>
internal sealed class SqliteLinks(SqliteConnection connection, string pairId) : ILinkStore
{
    private const string Columns = "kind, bc_number, bc_id, marketo_id, marketo_key, updated_at";

    public void Save(IEnumerable<RecordLink> links) => Guard(() =>
    {
        using var transaction = connection.BeginTransaction();
        using var command = Create(connection, transaction, $"""
            INSERT INTO links(pair_id, {Columns}) VALUES ($pair, $kind, $number, $bcId, $marketoId, $key, $at)
            ON CONFLICT(pair_id, kind, bc_number) DO UPDATE SET bc_id = IFNULL(excluded.bc_id, links.bc_id), marketo_id = excluded.marketo_id,
                marketo_key = excluded.marketo_key, updated_at = excluded.updated_at;
            """, ("$pair", pairId));
        var kind = command.Parameters.Add("$kind", SqliteType.Text);
        var number = command.Parameters.Add("$number", SqliteType.Text);
        var bcId = command.Parameters.Add("$bcId", SqliteType.Text);
        var marketoId = command.Parameters.Add("$marketoId", SqliteType.Integer);
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var at = command.Parameters.Add("$at", SqliteType.Text);
        foreach (var link in links)
        {
            kind.Value = link.Kind.ToString();
            number.Value = link.BcNumber;
            bcId.Value = (object?)link.BcId?.ToString("D") ?? DBNull.Value;
            marketoId.Value = link.MarketoId;
            key.Value = (object?)link.MarketoKey ?? DBNull.Value;
            at.Value = Time(link.UpdatedAt);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    });

    public IReadOnlyDictionary<string, RecordLink> ByBcNumber(LinkKind kind, IEnumerable<string> bcNumbers)
        => Lookup(kind, "bc_number", bcNumbers.Distinct(StringComparer.Ordinal).Cast<object>(), l => l.BcNumber, StringComparer.Ordinal);

    public IReadOnlyDictionary<long, RecordLink> ByMarketoId(LinkKind kind, IEnumerable<long> marketoIds)
        => Lookup(kind, "marketo_id", marketoIds.Distinct().Cast<object>(), l => l.MarketoId, EqualityComparer<long>.Default);

    public int Count(LinkKind kind) => Guard(() =>
    {
        using var command = Create(connection, "SELECT COUNT(*) FROM links WHERE pair_id = $pair AND kind = $kind;", ("$pair", pairId), ("$kind", kind.ToString()));
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    private IReadOnlyDictionary<TKey, RecordLink> Lookup<TKey>(LinkKind kind, string column, IEnumerable<object> keys, Func<RecordLink, TKey> keyOf, IEqualityComparer<TKey> comparer)
        where TKey : notnull => Guard(() =>
    {
        var result = new Dictionary<TKey, RecordLink>(comparer);
        using var command = Create(connection, $"SELECT {Columns} FROM links WHERE pair_id = $pair AND kind = $kind AND {column} = $key;",
            ("$pair", pairId), ("$kind", kind.ToString()));
        var parameter = command.Parameters.Add("$key", column == "marketo_id" ? SqliteType.Integer : SqliteType.Text);
        foreach (var key in keys)
        {
            parameter.Value = key;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var link = new RecordLink(Enum.Parse<LinkKind>(reader.GetString(0)), reader.GetString(1), reader.IsDBNull(2) ? null : Guid.Parse(reader.GetString(2)),
                    reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetString(4), ParseTime(reader.GetString(5)));
                result[keyOf(link)] = link;
            }
        }
        return (IReadOnlyDictionary<TKey, RecordLink>)result;
    });
}
