namespace MlConnector.Engine.Sync;

/// <summary>
/// The newest lastModifiedDateTime an incremental read saw, and the records within the overlap window
/// before it: the next read starts that much earlier, and these, unchanged, are dropped as already read.
/// </summary>
internal sealed class OverlapBoundary
{
    private const int PruneAbove = 4096;
    private readonly TimeSpan _overlap;
    private readonly Dictionary<Guid, DateTimeOffset> _records;

    public OverlapBoundary(TimeSpan overlap, IReadOnlyDictionary<Guid, DateTimeOffset> previous)
    {
        _overlap = overlap;
        _records = new Dictionary<Guid, DateTimeOffset>(previous);
    }

    /// <summary>The newest time read in this run, or null when nothing new was read.</summary>
    public DateTimeOffset? Newest { get; private set; }

    public void Add(Guid id, DateTimeOffset lastModified)
    {
        if (Newest is null || lastModified > Newest) Newest = lastModified;
        if (lastModified < Newest - _overlap) return;
        _records[id] = lastModified;
        if (_records.Count > PruneAbove) Prune();
    }

    public IReadOnlyDictionary<Guid, DateTimeOffset> Records()
    {
        Prune();
        return _records;
    }

    private void Prune()
    {
        if (Newest is not { } newest) return;
        var floor = newest - _overlap;
        foreach (var old in _records.Where(r => r.Value < floor).Select(r => r.Key).ToList()) _records.Remove(old);
    }
}
