namespace MlConnector.Sandbox.Marketo;

/// <summary>Activity type ids the simulator records (confirmed ids per shared/api/marketo.md §6).</summary>
public static class ActivityTypes
{
    public const int NewLead = 12;
    public const int ChangeDataValue = 13;
    public const int DeleteLead = 37;
}

/// <summary>Who made a change; lands in the activity's Source/Reason attributes.</summary>
public static class ActivitySources
{
    /// <summary>Changes made through the REST API (the docs' example attribute value).</summary>
    public const string WebServiceApi = "Web service API";

    /// <summary>Changes made by marketing users (seeded leads, <see cref="MarketoSimulator.MarketingEdit"/>).</summary>
    public const string Marketing = "marketing";
}

/// <summary>One activity. Compact: a Change Data Value activity carries exactly one field change.</summary>
public sealed record ActivityRecord(
    long Id,
    long LeadId,
    DateTimeOffset ActivityDate,
    int ActivityTypeId,
    string Source,
    string? LeadName = null,
    FieldDef? Field = null,
    string? NewValue = null,
    string? OldValue = null);

/// <summary>
/// Append-only activity log ordered by id and date (the clock only moves forward), so a paging token
/// can be a position in it.
/// </summary>
public sealed class ActivityLog
{
    private readonly object _gate = new();
    private readonly List<ActivityRecord> _items = new();
    private long _nextId = 100_000;

    public int Count { get { lock (_gate) return _items.Count; } }

    public ActivityRecord Add(long leadId, DateTimeOffset at, int typeId, string source, string? leadName = null, FieldDef? field = null, string? newValue = null, string? oldValue = null)
    {
        lock (_gate)
        {
            // Keep dates monotone with ids even if a caller hands in an older time.
            if (_items.Count > 0 && at < _items[^1].ActivityDate) at = _items[^1].ActivityDate;
            var record = new ActivityRecord(++_nextId, leadId, at, typeId, source, leadName, field, newValue, oldValue);
            _items.Add(record);
            return record;
        }
    }

    /// <summary>The position of the first activity at or after <paramref name="since"/>.</summary>
    public int PositionAt(DateTimeOffset since)
    {
        lock (_gate)
        {
            int lo = 0, hi = _items.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (_items[mid].ActivityDate < since) lo = mid + 1; else hi = mid;
            }
            return lo;
        }
    }

    /// <summary>Scans at most <paramref name="scanLimit"/> activities from <paramref name="position"/>, keeping up to <paramref name="take"/> matches.</summary>
    public (List<ActivityRecord> Items, int NextPosition, bool More) Scan(int position, int scanLimit, int take, Func<ActivityRecord, bool> match)
    {
        lock (_gate)
        {
            var found = new List<ActivityRecord>();
            var i = Math.Min(Math.Max(position, 0), _items.Count);
            var end = (int)Math.Min((long)i + scanLimit, _items.Count);
            for (; i < end && found.Count < take; i++)
                if (match(_items[i])) found.Add(_items[i]);
            return (found, i, i < _items.Count);
        }
    }

    public IReadOnlyList<ActivityRecord> Snapshot()
    {
        lock (_gate) return _items.ToArray();
    }
}
