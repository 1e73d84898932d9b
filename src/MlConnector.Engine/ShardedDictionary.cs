namespace MlConnector.Engine;

/// <summary>
/// A dictionary for hundreds of thousands of entries split into 1,024 small ones by key hash: each stays below the large
/// object heap as it grows, so neither the table nor the copies its growth leaves behind wait there for a full collection.
/// </summary>
internal sealed class ShardedDictionary<TKey, TValue>
    where TKey : notnull
{
    private const int ShardCount = 1024;
    private readonly Dictionary<TKey, TValue>?[] _shards = new Dictionary<TKey, TValue>?[ShardCount];

    public int Count { get; private set; }

    public TValue this[TKey key]
    {
        set
        {
            var shard = _shards[Shard(key)] ??= new Dictionary<TKey, TValue>();
            var before = shard.Count;
            shard[key] = value;
            Count += shard.Count - before;
        }
    }

    public bool TryGetValue(TKey key, out TValue value)
    {
        value = default!;
        return _shards[Shard(key)] is { } shard && shard.TryGetValue(key, out value!);
    }

    public bool Remove(TKey key, out TValue value)
    {
        value = default!;
        if (_shards[Shard(key)] is not { } shard || !shard.Remove(key, out value!)) return false;
        Count--;
        return true;
    }

    public void Clear()
    {
        Array.Clear(_shards);
        Count = 0;
    }

    private static int Shard(TKey key) => key.GetHashCode() & (ShardCount - 1);
}
