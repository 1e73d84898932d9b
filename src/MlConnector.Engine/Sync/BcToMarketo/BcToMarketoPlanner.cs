using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>
/// Decides, per chunk of BC records, what must be sent to Marketo: maps them, drops what Marketo already holds
/// (same content hash, no newer job waiting), and turns bad data into Skipped results with a reason.
/// Pure: no I/O beyond the state lookups it is handed.
/// </summary>
internal sealed class BcToMarketoPlanner
{
    /// <summary>Marks the hash of a company that was not written because Companies are read-only.</summary>
    internal const string CrmSkippedPrefix = "crm:";

    private readonly BcToMarketoMapper _mapper;
    private readonly string _correlationId;
    private readonly bool _ignoreContentHashes;
    // Keyed on a 64-bit hash of the normalised email: a large first load holds hundreds of thousands.
    private readonly Dictionary<ulong, string> _emailOwners = new();

    /// <param name="ignoreContentHashes">A resync: every mapped record is sent, whatever Marketo was last sent.</param>
    public BcToMarketoPlanner(BcToMarketoMapper mapper, string correlationId, bool ignoreContentHashes = false)
    {
        _mapper = mapper;
        _correlationId = correlationId;
        _ignoreContentHashes = ignoreContentHashes;
    }

    public sealed record Chunk(List<MarketoRecord> Send, List<MarketoRecord> CrmSkipped, List<SyncResult> Immediate);

    public Chunk PlanCustomers(IEnumerable<BcCustomer> customers, bool companiesWritable, Func<IEnumerable<string>, IReadOnlyDictionary<string, RecordState>> states, ISet<string> pendingJobs)
    {
        var records = customers.Select(_mapper.MapCustomer).ToList();
        var known = states(records.Select(r => r.TargetKey));
        var chunk = new Chunk(new(), new(), new());
        foreach (var record in records)
        {
            known.TryGetValue(record.TargetKey, out var state);
            var pending = pendingJobs.Contains(MarketoJobs.JobId(record));
            if (!companiesWritable)
            {
                if (Unchanged(state, CrmSkippedPrefix + record.ContentHash, pending)) chunk.Immediate.Add(Unchanged(record, state!));
                else
                {
                    chunk.CrmSkipped.Add(record);
                    chunk.Immediate.Add(Result(record, SyncAction.Skipped, SyncReasons.CrmSyncEnabled, MarketoIdOf(state)));
                }
                continue;
            }
            if (Unchanged(state, record.ContentHash, pending)) chunk.Immediate.Add(Unchanged(record, state!));
            else chunk.Send.Add(record);
        }
        return chunk;
    }

    /// <summary>Marketo already holds this content and no newer job waits (never, in a resync).</summary>
    private bool Unchanged(RecordState? state, string contentHash, bool pending) => !_ignoreContentHashes && !pending && state?.ContentHash == contentHash;

    public Chunk PlanContacts(IEnumerable<BcContact> contacts, Func<string, BcCustomer?> customerOf, bool withAccountFields,
        Func<IEnumerable<string>, IReadOnlyDictionary<string, RecordState>> states, ISet<string> pendingJobs)
    {
        var chunk = new Chunk(new(), new(), new());
        var mapped = new List<MarketoRecord>();
        foreach (var contact in contacts)
        {
            if (!string.Equals(contact.Type, "Person", StringComparison.OrdinalIgnoreCase)) continue;
            var customer = withAccountFields && contact.CustomerNumber is { Length: > 0 } number ? customerOf(number) : null;
            var lead = _mapper.MapContact(contact, customer, withAccountFields);
            if (lead.Record is null)
            {
                chunk.Immediate.Add(new SyncResult
                {
                    SourceType = "Contact", SourceNumber = contact.Number, TargetType = MarketoRecord.Lead, TargetKey = NullIfEmpty(contact.Email),
                    Action = SyncAction.Skipped, Reason = lead.SkipReason, CorrelationId = _correlationId,
                });
                continue;
            }
            mapped.Add(lead.Record);
        }

        var known = states(mapped.Select(r => r.TargetKey));
        foreach (var record in mapped)
        {
            known.TryGetValue(record.TargetKey, out var state);
            var email = EmailKey(EmailRules.Normalize(record.Key));
            var owner = _emailOwners.TryGetValue(email, out var runOwner) ? runOwner : state?.SourceNumber;
            if (owner is not null && !string.Equals(owner, record.SourceNumber, StringComparison.Ordinal))
            {
                chunk.Immediate.Add(Result(record, SyncAction.Skipped, $"{SyncReasons.DuplicateEmail}: contact {owner} has the same email; they are one lead in Marketo", MarketoIdOf(state)));
                continue;
            }
            _emailOwners[email] = record.SourceNumber;
            var pending = pendingJobs.Contains(MarketoJobs.JobId(record));
            if (Unchanged(state, record.ContentHash, pending)) chunk.Immediate.Add(Unchanged(record, state!));
            else chunk.Send.Add(record);
        }
        return chunk;
    }

    /// <summary>FNV-1a over the UTF-16 code units; a collision between two of a few hundred thousand emails is negligible.</summary>
    private static ulong EmailKey(string normalizedEmail)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in normalizedEmail)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    private SyncResult Unchanged(MarketoRecord record, RecordState state) => Result(record, SyncAction.Unchanged, null, MarketoIdOf(state));

    /// <summary>The Marketo id kept as the record state's target id.</summary>
    internal static long? MarketoIdOf(RecordState? state)
        => long.TryParse(state?.TargetId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    private SyncResult Result(MarketoRecord record, SyncAction action, string? reason, long? marketoId) => new()
    {
        SourceType = record.SourceType, SourceNumber = record.SourceNumber, TargetType = record.TargetType, TargetKey = record.Key,
        Action = action, Reason = reason, MarketoId = marketoId, CorrelationId = _correlationId,
    };

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
