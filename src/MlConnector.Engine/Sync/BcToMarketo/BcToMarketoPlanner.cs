using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>How a run plans: whether content hashes are trusted, and whether records they call unchanged are kept to compare with Marketo.</summary>
/// <param name="IgnoreContentHashes">A resync or a replay: every mapped record is sent, whatever Marketo was last sent.</param>
/// <param name="KeepUnchanged">-WhatIf, or a run on named customers: records the hashes call unchanged are checked against Marketo.</param>
internal sealed record PlanOptions(bool IgnoreContentHashes = false, bool KeepUnchanged = false);

/// <summary>
/// Decides, per chunk of BC records, what must be sent to Marketo: maps them, drops what Marketo already holds
/// (same content hash, no newer job waiting), turns bad data and records that must not cross into Skipped results
/// with a reason, and acts on leads whose contact became Privacy Blocked. Who a lead's email belongs to follows BC as
/// it is now (<see cref="EmailOwners"/>). No I/O beyond the state lookups; what only BC can answer (does the recorded
/// owner of an email still hold it?) comes back as <see cref="Chunk.Contested"/> for <see cref="Resolve"/>.
/// </summary>
internal sealed class BcToMarketoPlanner
{
    /// <summary>Marks the hash of a company that was not written because Companies are read-only.</summary>
    internal const string CrmSkippedPrefix = "crm:";

    private readonly BcToMarketoMapper _mapper;
    private readonly string _correlationId;
    private readonly PlanOptions _options;
    private readonly IRecordStates _states;
    private readonly ILinkStore _links;
    private readonly ISet<string> _pending;
    private readonly EmailOwners _owners = new();

    public BcToMarketoPlanner(BcToMarketoMapper mapper, string correlationId, PlanOptions options, IPairState state, ISet<string> pendingJobs)
    {
        _mapper = mapper;
        _correlationId = correlationId;
        _options = options;
        _states = state.Records(SyncDirection.BcToMarketo);
        _links = state.Links;
        _pending = pendingJobs;
    }

    /// <summary>A lead whose email the state gives to a contact not read in this chunk; BC says whether that one still holds it.</summary>
    public sealed record Contest(MarketoRecord Record, RecordState State, string Owner);

    public sealed record Chunk(List<MarketoRecord> Send, List<MarketoRecord> CrmSkipped, List<SyncResult> Immediate)
    {
        public Chunk() : this(new(), new(), new()) { }

        /// <summary>Records whose hash says Marketo holds them as they are (only with <see cref="PlanOptions.KeepUnchanged"/>).</summary>
        public List<MarketoRecord> Unchanged { get; } = new();

        public List<Contest> Contested { get; } = new();
    }

    public Chunk PlanCustomers(IEnumerable<BcCustomer> customers, bool companiesWritable)
    {
        var chunk = new Chunk();
        var records = new List<MarketoRecord>();
        foreach (var customer in customers)
        {
            if (_mapper.SkipReason(customer) is { } why)
            {
                chunk.Immediate.Add(new SyncResult
                {
                    SourceType = "Customer", SourceNumber = customer.Number, TargetType = MarketoRecord.Company, TargetKey = _mapper.CompanyKeyPrefix + customer.Number,
                    Action = SyncAction.Skipped, Reason = why, CorrelationId = _correlationId,
                });
                continue;
            }
            records.Add(_mapper.MapCustomer(customer));
        }
        var known = _states.Get(records.Select(r => r.TargetKey));
        foreach (var record in records)
        {
            known.TryGetValue(record.TargetKey, out var state);
            if (companiesWritable)
            {
                Decide(record, state, chunk);
                continue;
            }
            if (Unchanged(state, CrmSkippedPrefix + record.ContentHash, Pending(record))) chunk.Immediate.Add(Unchanged(record, state!));
            else
            {
                chunk.CrmSkipped.Add(record);
                chunk.Immediate.Add(Result(record, SyncAction.Skipped, SyncReasons.CrmSyncEnabled, MarketoIdOf(state)));
            }
        }
        return chunk;
    }

    /// <summary>
    /// Person contacts into leads. They are taken in contact-number order, so of two contacts that share an email the
    /// lower number claims it first (<see cref="EmailOwners"/>).
    /// </summary>
    public Chunk PlanContacts(IEnumerable<BcContact> contacts, Func<string, BcCustomer?> customerOf, bool withAccountFields)
    {
        var chunk = new Chunk();
        var persons = contacts.Where(c => string.Equals(c.Type, "Person", StringComparison.OrdinalIgnoreCase))
            .OrderBy(c => c.Number, StringComparer.Ordinal).ToList();
        // What each contact read now holds: enough to settle most ownership questions without asking BC.
        var holds = persons.GroupBy(c => c.Number, StringComparer.Ordinal).ToDictionary(g => g.Key, g => EmailOwners.Key(g.Last().Email), StringComparer.Ordinal);
        var mapped = new List<MarketoRecord>();
        var blocked = new List<BcContact>();
        foreach (var contact in persons)
        {
            var customer = withAccountFields && contact.CustomerNumber is { Length: > 0 } number ? customerOf(number) : null;
            var lead = _mapper.MapContact(contact, customer, withAccountFields);
            if (lead.Record is not null) mapped.Add(lead.Record);
            else if (lead.SkipReason == SyncReasons.PrivacyBlocked) blocked.Add(contact);
            else
            {
                chunk.Immediate.Add(new SyncResult
                {
                    SourceType = "Contact", SourceNumber = contact.Number, TargetType = MarketoRecord.Lead, TargetKey = NullIfEmpty(contact.Email),
                    Action = SyncAction.Skipped, Reason = lead.SkipReason, CorrelationId = _correlationId,
                });
            }
        }

        var known = _states.Get(mapped.Select(r => r.TargetKey));
        foreach (var record in mapped)
        {
            known.TryGetValue(record.TargetKey, out var state);
            if (_owners.Claim(record, state, holds) is { } claim) Apply(claim, record, state, chunk);
            else chunk.Contested.Add(new Contest(record, state!, state!.SourceNumber));
        }
        PlanPrivacyBlocked(blocked, withAccountFields, chunk);
        return chunk;
    }

    /// <summary>Settles the contested leads of <paramref name="chunk"/> with what BC says each recorded owner's email is now (absent: deleted).</summary>
    public void Resolve(Chunk chunk, IReadOnlyDictionary<string, string> ownersEmail)
    {
        foreach (var contest in chunk.Contested)
        {
            var holds = new Dictionary<string, ulong?>(StringComparer.Ordinal) { [contest.Owner] = EmailOwners.Key(ownersEmail.GetValueOrDefault(contest.Owner)) };
            Apply(_owners.Claim(contest.Record, contest.State, holds)!, contest.Record, contest.State, chunk);
        }
        chunk.Contested.Clear();
    }

    private void Apply(EmailOwners.Claimed claim, MarketoRecord record, RecordState? state, Chunk chunk)
    {
        if (claim.Winner == record.SourceNumber) Decide(record, state, chunk);
        else chunk.Immediate.Add(Result(record, SyncAction.Skipped,
            $"{SyncReasons.DuplicateEmail}: contact {claim.Winner} has the same email; they are one lead in Marketo, and of contacts sharing an email the lowest contact number is that lead",
            MarketoIdOf(state)));
    }

    /// <summary>
    /// A Privacy Blocked contact is never sent. When it owns a lead the connector wrote (by its link, or the state of its
    /// email), the mapping's whenPrivacyBlocked is applied to that lead once; otherwise it is only reported.
    /// </summary>
    private void PlanPrivacyBlocked(List<BcContact> contacts, bool withAccountFields, Chunk chunk)
    {
        if (contacts.Count == 0) return;
        var links = _links.ByBcNumber(LinkKind.Contact, contacts.Select(c => c.Number));
        foreach (var contact in contacts)
        {
            var link = links.GetValueOrDefault(contact.Number);
            var key = link?.MarketoKey ?? (EmailRules.Problem(contact.Email) is null ? contact.Email.Trim() : null);
            RecordState? state = null;
            MarketoRecord? record = null;
            if (key is not null)
            {
                record = _mapper.MapPrivacyBlocked(contact, key, link?.MarketoId, withAccountFields);
                state = _states.Get([record.TargetKey]).GetValueOrDefault(record.TargetKey);
                if (record.Write == MarketoWriteKind.Delete && link is null && MarketoIdOf(state) is { } id)
                    record = _mapper.MapPrivacyBlocked(contact, key, id, withAccountFields);
            }
            // Acted on already, never written by this contact, or the lead is now another contact's: nothing to do in Marketo.
            var claimedBy = record is null ? null : _owners.OwnerInRun(record.Key);
            var owned = state is not null && state.SourceNumber == contact.Number && (claimedBy is null || claimedBy == contact.Number);
            if (record is null || !owned || state!.ContentHash == record.ContentHash)
            {
                chunk.Immediate.Add(new SyncResult
                {
                    SourceType = "Contact", SourceNumber = contact.Number, TargetType = MarketoRecord.Lead, TargetKey = key,
                    Action = SyncAction.Skipped, Reason = SyncReasons.PrivacyBlocked, MarketoId = MarketoIdOf(state), CorrelationId = _correlationId,
                });
                continue;
            }
            chunk.Send.Add(record);
        }
    }

    /// <summary>Sends the record unless Marketo already holds this content (kept aside to compare, when asked).</summary>
    private void Decide(MarketoRecord record, RecordState? state, Chunk chunk)
    {
        if (!Unchanged(state, record.ContentHash, Pending(record))) chunk.Send.Add(record);
        else if (_options.KeepUnchanged) chunk.Unchanged.Add(record);
        else chunk.Immediate.Add(Unchanged(record, state!));
    }

    private bool Pending(MarketoRecord record) => _pending.Contains(MarketoJobs.JobId(record));

    /// <summary>Marketo already holds this content and no newer job waits (never, in a resync or replay).</summary>
    private bool Unchanged(RecordState? state, string contentHash, bool pending) => !_options.IgnoreContentHashes && !pending && state?.ContentHash == contentHash;

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
