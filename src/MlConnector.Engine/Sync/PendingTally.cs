using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>
/// The pending jobs of each target type, for a drain's progress totals: counted in the queue at most once per
/// <see cref="RecountAfter"/>, and in between the last count less the jobs settled since (jobs enqueued meanwhile show
/// at the next count). On Table Storage a count reads the key of every pending job of the type: counted after every
/// settled batch, that was up to some 30,000 keys read (what planning keeps queued ahead) for each 300 records written.
/// </summary>
internal sealed class PendingTally(IWorkQueue queue, TimeProvider time)
{
    public static readonly TimeSpan RecountAfter = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, (long Left, long CountedAt)> _byType = new(StringComparer.Ordinal);

    /// <summary>The type's pending jobs once <paramref name="settled"/> more of them have been settled.</summary>
    public long AfterSettling(string targetType, int settled)
    {
        var now = time.GetTimestamp();
        if (_byType.TryGetValue(targetType, out var last) && time.GetElapsedTime(last.CountedAt, now) < RecountAfter)
        {
            var left = Math.Max(0, last.Left - settled);
            _byType[targetType] = (left, last.CountedAt);
            return left;
        }
        long counted = queue.Count(QueuedJobStatus.Pending, targetType);
        _byType[targetType] = (counted, now);
        return counted;
    }
}
