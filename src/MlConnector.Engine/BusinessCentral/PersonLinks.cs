using System.Text;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// Each linked person contact's customer number and first and last name, by contact id. A full read holds one per person
/// contact until the contact is read, hundreds of thousands at once, so they are packed: the three texts as UTF-8 in
/// shared blocks (not three strings each), and the table split into shards that each stay small. One table of that size
/// lives on the large object heap, and so does every copy it leaves behind as it grows, until a full collection.
/// </summary>
internal sealed class PersonLinks
{
    private const int ShardCount = 1024;
    private const int BlockSize = 32 * 1024;
    private readonly Dictionary<Guid, Link>?[] _shards = new Dictionary<Guid, Link>?[ShardCount];
    private readonly List<byte[]> _blocks = [];
    private int _used = BlockSize;

    public int Count { get; private set; }

    /// <summary>Keeps (or replaces) the person's link.</summary>
    public void Set(Guid contactId, string customerNumber, string first, string last)
    {
        var lengths = (Length(customerNumber), Length(first), Length(last));
        var at = Reserve(lengths.Item1 + lengths.Item2 + lengths.Item3, out var block);
        var written = Encoding.UTF8.GetBytes(customerNumber, block.AsSpan(at % BlockSize));
        written += Encoding.UTF8.GetBytes(first, block.AsSpan(at % BlockSize + written));
        Encoding.UTF8.GetBytes(last, block.AsSpan(at % BlockSize + written));
        var shard = _shards[Shard(contactId)] ??= new Dictionary<Guid, Link>();
        var before = shard.Count;
        shard[contactId] = new Link(at, lengths.Item1, lengths.Item2, lengths.Item3);
        Count += shard.Count - before;
    }

    public bool TryGet(Guid contactId, out PersonLink person)
    {
        person = default;
        if (_shards[Shard(contactId)] is not { } shard || !shard.TryGetValue(contactId, out var link)) return false;
        person = Read(link);
        return true;
    }

    /// <summary>Reads and forgets the person's link; the blocks go once no link is left.</summary>
    public bool TryTake(Guid contactId, out PersonLink person)
    {
        person = default;
        if (_shards[Shard(contactId)] is not { } shard || !shard.Remove(contactId, out var link)) return false;
        person = Read(link);
        if (--Count == 0)
        {
            Array.Clear(_shards);
            _blocks.Clear();
            _used = BlockSize;
        }
        return true;
    }

    private static int Shard(Guid id) => id.GetHashCode() & (ShardCount - 1);

    /// <summary>BC's code and name fields are a few dozen characters; a length past 65,535 bytes is not a BC value.</summary>
    private static ushort Length(string text)
        => checked((ushort)Encoding.UTF8.GetByteCount(text));

    /// <summary>Where <paramref name="bytes"/> bytes start (block number × block size + offset), in a new block when the last one is full.</summary>
    private int Reserve(int bytes, out byte[] block)
    {
        if (_used + bytes > BlockSize)
        {
            _blocks.Add(new byte[Math.Max(BlockSize, bytes)]);
            _used = 0;
        }
        block = _blocks[^1];
        var at = checked(((_blocks.Count - 1) * BlockSize) + _used);
        _used += bytes;
        return at;
    }

    private PersonLink Read(Link link)
    {
        var block = _blocks[link.At / BlockSize].AsSpan(link.At % BlockSize);
        var customer = Encoding.UTF8.GetString(block[..link.Customer]);
        var first = Encoding.UTF8.GetString(block.Slice(link.Customer, link.First));
        var last = Encoding.UTF8.GetString(block.Slice(link.Customer + link.First, link.Last));
        return new PersonLink(customer, first, last);
    }

    private readonly record struct Link(int At, ushort Customer, ushort First, ushort Last);
}

/// <summary>A person contact's customer number and its first and last name, as customerContacts gives them.</summary>
internal readonly record struct PersonLink(string CustomerNumber, string First, string Last)
{
    public (string First, string Last) Names => (First, Last);
}
