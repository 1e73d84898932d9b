using System.Globalization;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// The per-record tables (record state, links) spread each pair over <see cref="Count"/> partitions, "pair id-bucket":
/// a partition of Table Storage serves about 2,000 rows a second, and a pair's first load writes hundreds of thousands
/// (the emulator, too, slows down with the size of a partition). A record's bucket comes from its key, so a lookup
/// goes straight to one partition; a batch is written as one transaction per bucket it touches.
/// </summary>
internal static class TableBuckets
{
    public const int Count = 64;

    public static string Partition(string pairId, string key) => pairId + "-" + Of(key).ToString("x2", CultureInfo.InvariantCulture);

    /// <summary>A filter for every bucket partition of the pair: "pair id-00" up to "pair id-3f".</summary>
    public static FormattableString Range(string pairId) => $"PartitionKey ge {pairId + "-"} and PartitionKey lt {pairId + "."}";

    /// <summary>FNV-1a over the key's UTF-16 code units: stable across processes and releases (string.GetHashCode is not).</summary>
    public static int Of(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key) hash = (hash ^ c) * 16777619u;
        return (int)(hash % Count);
    }
}
