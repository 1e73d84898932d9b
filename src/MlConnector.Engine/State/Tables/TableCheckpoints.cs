using System.Buffers.Binary;
using Azure;
using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// One pair's checkpoints and watermarks in the pairs table (partition = pair id). A checkpoint only moves forward:
/// each advance reads the row and writes it back on its ETag, retrying when another writer moved it first. Its
/// boundary records (16-byte id + 8-byte UTC ticks each) live in chunk rows of one generation; the checkpoint row names
/// the generation, so swapping to a new boundary is the one conditional write of the checkpoint row. Each chunk's
/// ETag digests (8 bytes each, in the same order) are a property of their own, which chunks written before they were
/// kept lack: their records' digests are unknown (0).
/// </summary>
internal sealed class TableCheckpoints(TableClient table, string pairId) : ICheckpointStore
{
    public const string CheckpointPrefix = "checkpoint|";
    public const string WatermarkPrefix = "watermark|";
    private const string BoundaryPrefix = "boundary|";
    private const int RecordBytes = 24;
    private const int DigestBytes = 8;
    private const int RecordsPerChunk = 2600;

    /// <summary>Chunks of generations that never became current (a writer died before its checkpoint write) are removed once this old.</summary>
    private static readonly TimeSpan OrphanAge = TimeSpan.FromHours(1);

    public DateTimeOffset? Get(string name)
    {
        var row = Read(CheckpointKey(name));
        return row is null ? null : StateTime.Parse(row.GetString("Value"));
    }

    public IReadOnlyDictionary<Guid, ReadVersion> Boundary(string name)
    {
        var records = new Dictionary<Guid, ReadVersion>();
        if (Read(CheckpointKey(name))?.GetString("Generation") is not { } generation) return records;
        var prefix = BoundaryKeyPrefix(name, generation);
        foreach (var chunk in TableQueries.Range(table, pairId, prefix, "read the checkpoint boundary of " + name))
            Decode(chunk.GetBinary("Records"), chunk.GetBinary("ETagDigests"), records);
        return records;
    }

    public void Advance(string name, DateTimeOffset value, IEnumerable<KeyValuePair<Guid, ReadVersion>> boundary, DateTimeOffset now)
    {
        var generation = Guid.NewGuid().ToString("N");
        var chunks = Encode(boundary).Select((encoded, i) => new TableEntity(pairId, BoundaryKeyPrefix(name, generation) + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))
        {
            ["Records"] = encoded.Records,
            ["ETagDigests"] = encoded.Digests,
            ["WrittenAt"] = StateTime.Format(now),
        }).ToList();
        TableBatches.Submit(table, chunks.Select(c => new TableTransactionAction(TableTransactionActionType.UpsertReplace, c)), "write the checkpoint boundary of " + name);

        var replaced = TableCalls.Optimistic("advance the checkpoint " + name, () =>
        {
            var row = Read(CheckpointKey(name));
            var stored = row is null ? (DateTimeOffset?)null : StateTime.Parse(row.GetString("Value"));
            var entity = new TableEntity(pairId, CheckpointKey(name))
            {
                ["Name"] = name,
                ["Value"] = StateTime.Format(stored is { } old && old > value ? old : value),
                ["UpdatedAt"] = StateTime.Format(now),
                ["Generation"] = generation,
            };
            if (row is null) table.AddEntity(entity);
            else table.UpdateEntity(entity, row.ETag, TableUpdateMode.Replace);
            return row?.GetString("Generation");
        });
        RemoveChunks(name, generation, replaced, now);
    }

    public void Advance(string name, DateTimeOffset value, DateTimeOffset now) => TableCalls.Optimistic("advance the checkpoint " + name, () =>
    {
        var row = Read(CheckpointKey(name));
        var entity = new TableEntity(pairId, CheckpointKey(name)) { ["Name"] = name, ["Value"] = StateTime.Format(value), ["UpdatedAt"] = StateTime.Format(now) };
        if (row is null) table.AddEntity(entity);
        else if (value > StateTime.Parse(row.GetString("Value"))) table.UpdateEntity(entity, row.ETag, TableUpdateMode.Merge);
    });

    public Watermark? GetWatermark(string name)
    {
        var row = Read(WatermarkPrefix + TableKeys.Part(name));
        return row is null ? null : new Watermark(row.GetString("Token"), StateTime.Parse(row.GetString("At")));
    }

    public void SetWatermark(string name, Watermark watermark, DateTimeOffset now) => TableCalls.Guard("set the watermark " + name, () =>
        table.UpsertEntity(new TableEntity(pairId, WatermarkPrefix + TableKeys.Part(name))
        {
            ["Name"] = name,
            ["Token"] = watermark.Token,
            ["At"] = StateTime.Format(watermark.At),
            ["UpdatedAt"] = StateTime.Format(now),
        }, TableUpdateMode.Replace));

    /// <summary>The names of the pair's checkpoints and of its watermarks (for copying a pair's state).</summary>
    public IEnumerable<string> Names(string prefix) =>
        TableQueries.Range(table, pairId, prefix, "list the checkpoints").Select(row => row.GetString("Name"));

    private static string CheckpointKey(string name) => CheckpointPrefix + TableKeys.Part(name);

    private static string BoundaryKeyPrefix(string name, string generation) => TableKeys.Prefix("boundary", TableKeys.Part(name), generation);

    private TableEntity? Read(string rowKey) => TableCalls.Guard("read the checkpoints", () =>
    {
        var found = table.GetEntityIfExists<TableEntity>(pairId, rowKey);
        return found.HasValue ? found.Value : null;
    });

    /// <summary>Removes the generation this write replaced, and any other generation's chunks old enough to be a dead writer's.</summary>
    private void RemoveChunks(string name, string current, string? replaced, DateTimeOffset now)
    {
        var stale = TableQueries.Range(table, pairId, TableKeys.Prefix("boundary", TableKeys.Part(name)), "list the checkpoint boundary of " + name)
            .Where(row => row.RowKey.Split(TableKeys.Separator)[2] is var generation && generation != current
                          && (generation == replaced || StateTime.Parse(row.GetString("WrittenAt")) < now - OrphanAge))
            .Select(row => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(pairId, row.RowKey), ETag.All))
            .ToList();
        // Another writer may remove the same chunks at the same moment: a chunk already gone is what was wanted.
        TableBatches.Submit(table, stale, a => [a], _ => { }, "remove an old checkpoint boundary of " + name);
    }

    private static IEnumerable<(byte[] Records, byte[] Digests)> Encode(IEnumerable<KeyValuePair<Guid, ReadVersion>> boundary)
    {
        foreach (var chunk in boundary.Chunk(RecordsPerChunk))
        {
            var records = new byte[chunk.Length * RecordBytes];
            var digests = new byte[chunk.Length * DigestBytes];
            for (var i = 0; i < chunk.Length; i++)
            {
                chunk[i].Key.TryWriteBytes(records.AsSpan(i * RecordBytes, 16));
                BinaryPrimitives.WriteInt64LittleEndian(records.AsSpan(i * RecordBytes + 16, 8), chunk[i].Value.LastModified.UtcTicks);
                BinaryPrimitives.WriteInt64LittleEndian(digests.AsSpan(i * DigestBytes, DigestBytes), chunk[i].Value.ETagDigest);
            }
            yield return (records, digests);
        }
    }

    private static void Decode(byte[]? records, byte[]? digests, Dictionary<Guid, ReadVersion> into)
    {
        if (records is null) return;
        for (int offset = 0, i = 0; offset + RecordBytes <= records.Length; offset += RecordBytes, i++)
        {
            var lastModified = new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(records.AsSpan(offset + 16, 8)), TimeSpan.Zero);
            var hasDigest = digests is not null && (i + 1) * DigestBytes <= digests.Length;
            var digest = hasDigest ? BinaryPrimitives.ReadInt64LittleEndian(digests.AsSpan(i * DigestBytes, DigestBytes)) : 0;
            into[new Guid(records.AsSpan(offset, 16))] = new ReadVersion(lastModified, digest);
        }
    }
}
