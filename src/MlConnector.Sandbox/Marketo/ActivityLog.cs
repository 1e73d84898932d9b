namespace MlConnector.Sandbox.Marketo;

/// <summary>Activity type ids the simulator records (confirmed ids per shared/api/marketo.md §6).</summary>
public static class ActivityTypes
{
    public const int NewLead = 12;
    public const int ChangeDataValue = 13;
    public const int DeleteLead = 37;
}

/// <summary>The Source attribute values of the simulator's activities.</summary>
public static class ActivitySources
{
    /// <summary>Changes made through the REST API (the docs' example value of Source and Reason).</summary>
    public const string WebServiceApi = "Web service API";

    /// <summary>Changes made by marketing users in the Marketo UI (seeded leads, <see cref="MarketoSimulator.MarketingEdit"/>). Text assumed.</summary>
    public const string Marketing = "Marketo UI";
}

/// <summary>
/// Who made a change. API writes carry the method, the call's request id and the API user, which Marketo shows as
/// the attributes "api method name", "request id" and "modifying user" (observed in recorded responses; the types
/// describe spells them "API Method Name", "Request Id", "Modifying User"). A UI edit has only its user.
/// </summary>
public sealed record ActivityOrigin(string Source, string? ModifyingUser = null, string? ApiMethod = null, string? RequestId = null)
{
    public bool IsApi => ApiMethod is not null;

    public static ActivityOrigin Api(string method, string requestId, string user) => new(ActivitySources.WebServiceApi, user, method, requestId);

    public static ActivityOrigin Ui(string user) => new(ActivitySources.Marketing, user);
}

/// <summary>One activity. Compact: a Change Data Value activity carries exactly one field change.</summary>
public sealed record ActivityRecord(
    long Id,
    long LeadId,
    DateTimeOffset ActivityDate,
    int ActivityTypeId,
    ActivityOrigin Origin,
    string? LeadName = null,
    FieldDef? Field = null,
    string? NewValue = null,
    string? OldValue = null)
{
    public string Source => Origin.Source;

    /// <summary>The position of the activity in the date-ordered feed: (activityDate, id).</summary>
    public (long Ticks, long Id) Key => (ActivityDate.UtcTicks, Id);
}

/// <summary>
/// The activity feed, ordered by activity date then id. Date-based paging tokens hold the key of the last activity a
/// page scanned, so a later page continues after it. With <see cref="MarketoOptions.OutOfOrderWindow"/> an activity is
/// dated up to that much before it is recorded; it lands before activities a client may already have paged past,
/// as late-arriving activities do, and only a client that re-reads with an overlap sees it.
/// </summary>
public sealed class ActivityLog(MarketoOptions? options = null)
{
    private readonly object _gate = new();
    private readonly List<ActivityRecord> _items = new();
    private long _nextId = 100_000;

    public int Count { get { lock (_gate) return _items.Count; } }

    public ActivityRecord Add(long leadId, DateTimeOffset at, int typeId, ActivityOrigin origin, string? leadName = null, FieldDef? field = null, string? newValue = null, string? oldValue = null)
    {
        lock (_gate)
        {
            var id = ++_nextId;
            var window = options?.OutOfOrderWindow ?? TimeSpan.Zero;
            if (window > TimeSpan.Zero) at -= TimeSpan.FromTicks((long)(window.Ticks * Fraction(id)));
            // Without the switch, keep dates monotone with ids even if a caller hands in an older time.
            else if (_items.Count > 0 && at < _items[^1].ActivityDate) at = _items[^1].ActivityDate;
            var record = new ActivityRecord(id, leadId, at, typeId, origin, leadName, field, newValue, oldValue);
            var index = _items.Count;
            while (index > 0 && _items[index - 1].Key.CompareTo(record.Key) > 0) index--;
            _items.Insert(index, record);
            return record;
        }
    }

    /// <summary>The key just before the first activity dated at or after <paramref name="since"/> (what a paging token holds).</summary>
    public static (long Ticks, long Id) KeyBefore(DateTimeOffset since) => (since.UtcTicks, 0);

    /// <summary>
    /// Scans at most <paramref name="scanLimit"/> activities after <paramref name="after"/>, keeping up to
    /// <paramref name="take"/> matches; returns the key of the last one scanned and whether more follow.
    /// </summary>
    public (List<ActivityRecord> Items, (long Ticks, long Id) Next, bool More) Scan((long Ticks, long Id) after, int scanLimit, int take, Func<ActivityRecord, bool> match)
    {
        lock (_gate)
        {
            var found = new List<ActivityRecord>();
            var i = FirstAfter(after);
            var next = after;
            var end = (int)Math.Min((long)i + scanLimit, _items.Count);
            for (; i < end && found.Count < take; i++)
            {
                next = _items[i].Key;
                if (match(_items[i])) found.Add(_items[i]);
            }
            return (found, next, i < _items.Count);
        }
    }

    public IReadOnlyList<ActivityRecord> Snapshot()
    {
        lock (_gate) return _items.ToArray();
    }

    private int FirstAfter((long Ticks, long Id) key)
    {
        int lo = 0, hi = _items.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_items[mid].Key.CompareTo(key) <= 0) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static double Fraction(long id)
    {
        var x = (ulong)id * 0x9E3779B97F4A7C15UL;
        x ^= x >> 29;
        return x % 1000 / 1000.0;
    }
}
