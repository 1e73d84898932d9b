using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>
/// The newest lastModifiedDateTime an incremental read saw, and the records within the overlap window
/// before it: the next read starts that much earlier, and these, unchanged, are dropped as already read.
/// </summary>
internal sealed class OverlapBoundary
{
    private const int PruneAbove = 4096;
    private readonly TimeSpan _overlap;
    private readonly Dictionary<Guid, ReadVersion> _records;

    public OverlapBoundary(TimeSpan overlap, IReadOnlyDictionary<Guid, ReadVersion> previous)
    {
        _overlap = overlap;
        _records = new Dictionary<Guid, ReadVersion>(previous);
    }

    /// <summary>The newest time read in this run, or null when nothing new was read.</summary>
    public DateTimeOffset? Newest { get; private set; }

    public void Add(Guid id, ReadVersion version)
    {
        if (Newest is null || version.LastModified > Newest) Newest = version.LastModified;
        if (version.LastModified < Newest - _overlap) return;
        _records[id] = version;
        if (_records.Count > PruneAbove) Prune();
    }

    public IReadOnlyDictionary<Guid, ReadVersion> Records()
    {
        Prune();
        return _records;
    }

    private void Prune()
    {
        if (Newest is not { } newest) return;
        var floor = newest - _overlap;
        foreach (var old in _records.Where(r => r.Value.LastModified < floor).Select(r => r.Key).ToList()) _records.Remove(old);
    }
}
