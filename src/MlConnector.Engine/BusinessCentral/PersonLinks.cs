namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// Each linked person contact's customer number and first and last name, by contact id. A full read holds one per person
/// contact until the contact is read, hundreds of thousands at once, so they are packed: the three texts in
/// <see cref="PackedText"/> (not three strings each), in a <see cref="ShardedDictionary{TKey, TValue}"/> kept off the large object heap.
/// </summary>
internal sealed class PersonLinks
{
    private readonly ShardedDictionary<Guid, Link> _links = new();
    private readonly PackedText _texts = new();

    public int Count => _links.Count;

    /// <summary>Keeps (or replaces) the person's link.</summary>
    public void Set(Guid contactId, string customerNumber, string first, string last)
    {
        Span<ushort> lengths = stackalloc ushort[3];
        var at = _texts.Add([customerNumber, first, last], lengths);
        _links[contactId] = new Link(at, lengths[0], lengths[1], lengths[2]);
    }

    public bool TryGet(Guid contactId, out PersonLink person)
    {
        var found = _links.TryGetValue(contactId, out var link);
        person = found ? Read(link) : default;
        return found;
    }

    /// <summary>Reads and forgets the person's link; the texts go once no link is left.</summary>
    public bool TryTake(Guid contactId, out PersonLink person)
    {
        var found = _links.Remove(contactId, out var link);
        person = found ? Read(link) : default;
        if (found && _links.Count == 0)
        {
            _links.Clear();
            _texts.Clear();
        }
        return found;
    }

    private PersonLink Read(Link link)
        => new(_texts.Read(link.At, 0, link.Customer), _texts.Read(link.At, link.Customer, link.First), _texts.Read(link.At, link.Customer + link.First, link.Last));

    private readonly record struct Link(int At, ushort Customer, ushort First, ushort Last);
}

/// <summary>A person contact's customer number and its first and last name, as customerContacts gives them.</summary>
internal readonly record struct PersonLink(string CustomerNumber, string First, string Last)
{
    public (string First, string Last) Names => (First, Last);
}
