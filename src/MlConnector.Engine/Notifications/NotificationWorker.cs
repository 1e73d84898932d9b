using System.Runtime.CompilerServices;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;

namespace MlConnector.Engine.Notifications;

/// <summary>
/// Sends what notifications queued for one pair, through the main BC → Marketo flow: reads the notified customers by id
/// with their financial details (contacts: their customers), and the changed sets of collection notifications, then
/// lets <see cref="CustomerToMarketoSync"/> plan, queue — under the poll's job ids, "Customer:C00010" — and write them
/// with their contacts. So a customer both notified and polled is one Marketo job, and content Marketo already holds is
/// not written again. A notified job is completed once the flow has handled what it named; a failed read leaves it
/// pending for the next pass. Run it while holding the pair's lease.
/// </summary>
public sealed class NotificationWorker
{
    private const int BatchSize = 200;
    private const int LatenciesKept = 1000;
    private readonly SyncContext _context;
    private readonly IWorkQueue _queue;
    private readonly CustomerToMarketoSync _sync;
    private readonly Queue<TimeSpan> _latencies = new();

    public NotificationWorker(SyncContext context, BcToMarketoMapper mapper)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _queue = context.State.Queue(SyncDirection.BcToMarketo);
        _sync = new CustomerToMarketoSync(context, mapper);
    }

    /// <summary>Notified jobs handled so far.</summary>
    public long Handled { get; private set; }

    /// <summary>From each handled job's arrival at the endpoint to the end of the Marketo writes of its batch (the last 1,000).</summary>
    public IReadOnlyList<TimeSpan> Latencies
    {
        get { lock (_latencies) return _latencies.ToArray(); }
    }

    /// <summary>Whether notified jobs wait in the pair's queue.</summary>
    public bool HasWork => _queue.Take(QueuedJobStatus.Pending, NotifiedJobs.TargetType, 1).Count > 0;

    /// <summary>Handles notified jobs, a batch at a time, until none is pending; streams one result per record the flow touched.</summary>
    public async IAsyncEnumerable<SyncResult> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var jobs = _queue.Take(QueuedJobStatus.Pending, NotifiedJobs.TargetType, BatchSize);
            if (jobs.Count == 0) yield break;
            var work = Readable(jobs);
            var (customers, numbers) = await ReadAsync(work, cancellationToken).ConfigureAwait(false);

            if (customers.Count > 0)
            {
                await foreach (var result in _sync.RunAsync(new CustomerSyncRequest { Customers = customers }, cancellationToken).ConfigureAwait(false)) yield return result;
            }
            numbers.ExceptWith(customers.Select(c => c.Number));
            if (numbers.Count > 0)
            {
                await foreach (var result in _sync.RunAsync(new CustomerSyncRequest { CustomerNumbers = numbers.ToArray() }, cancellationToken).ConfigureAwait(false)) yield return result;
            }
            foreach (var result in Gone(work, customers)) yield return result;
            _queue.Complete(work.Select(w => w.Job));
            Settled(work);
        }
    }

    /// <summary>The jobs whose payload can be read; any other is parked with the reason (it would fail every pass).</summary>
    private List<(QueuedJob Job, NotifiedJobs.Payload Payload)> Readable(IReadOnlyList<QueuedJob> jobs)
    {
        var readable = new List<(QueuedJob, NotifiedJobs.Payload)>(jobs.Count);
        var broken = new List<(QueuedJob, string)>();
        foreach (var job in jobs)
        {
            try { readable.Add((job, NotifiedJobs.Read(job))); }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException) { broken.Add((job, "An unreadable notified job: " + e.Message)); }
        }
        if (broken.Count > 0) _queue.Park(broken, _context.Time.GetUtcNow());
        return readable;
    }

    /// <summary>The customers to send (by id, and the changed sets), and the numbers of the customers whose contacts were notified.</summary>
    private async Task<(List<BcCustomer> Customers, HashSet<string> Numbers)> ReadAsync(List<(QueuedJob Job, NotifiedJobs.Payload Payload)> work, CancellationToken cancellationToken)
    {
        var customers = new Dictionary<Guid, BcCustomer>();
        var numbers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var entities = work.Select(w => w.Payload).Where(p => p.EntityId is not null && p.ChangeType != nameof(NotificationChangeType.Deleted)).ToList();

        var customerIds = entities.Where(p => p.EntitySet == "customers").Select(p => p.EntityId!.Value).ToArray();
        if (customerIds.Length > 0) await AddCustomersAsync(new BcCustomerQuery { Ids = customerIds, IncludeFinancialDetails = true }, customers, cancellationToken).ConfigureAwait(false);
        var contactIds = entities.Where(p => p.EntitySet == "contacts").Select(p => p.EntityId!.Value).ToArray();
        if (contactIds.Length > 0) await AddNumbersAsync(new BcContactQuery { Ids = contactIds }, numbers, cancellationToken).ConfigureAwait(false);

        foreach (var collection in work.Select(w => w.Payload).Where(p => p.EntityId is null))
        {
            var since = collection.Everything ? null : collection.ModifiedAfter;
            if (collection.EntitySet == "customers")
                await AddCustomersAsync(new BcCustomerQuery { ModifiedSince = since, IncludeFinancialDetails = true }, customers, cancellationToken).ConfigureAwait(false);
            else if (collection.EntitySet == "contacts")
                await AddNumbersAsync(new BcContactQuery { ModifiedSince = since }, numbers, cancellationToken).ConfigureAwait(false);
        }
        return (customers.Values.ToList(), numbers);
    }

    private async Task AddCustomersAsync(BcCustomerQuery query, Dictionary<Guid, BcCustomer> into, CancellationToken cancellationToken)
    {
        await foreach (var customer in _context.Bc.GetCustomersAsync(query, cancellationToken).ConfigureAwait(false)) into[customer.Id] = customer;
    }

    private async Task AddNumbersAsync(BcContactQuery query, HashSet<string> into, CancellationToken cancellationToken)
    {
        await foreach (var contact in _context.Bc.GetContactsAsync(query, cancellationToken).ConfigureAwait(false))
            if (contact.CustomerNumber is { Length: > 0 } number) into.Add(number);
    }

    /// <summary>Notified customers Business Central no longer had when they were read: one audited Skipped result each.</summary>
    private List<SyncResult> Gone(List<(QueuedJob Job, NotifiedJobs.Payload Payload)> work, List<BcCustomer> found)
    {
        var present = found.Select(c => c.Id).ToHashSet();
        var gone = work.Select(w => w.Payload)
            .Where(p => p.EntitySet == "customers" && p.EntityId is { } id && p.ChangeType != nameof(NotificationChangeType.Deleted) && !present.Contains(id))
            .Select(p => new SyncResult
            {
                SourceType = "Customer", SourceNumber = p.EntityId!.Value.ToString("D"), TargetType = MarketoRecord.Company, Action = SyncAction.Skipped,
                Reason = $"{SyncReasons.DeletedInBusinessCentral}: customer {p.EntityId:D} was notified ({p.ChangeType}) but Business Central no longer has it",
                CorrelationId = _context.CorrelationId,
            }).ToList();
        SyncAudit.Write(_context, SyncDirection.BcToMarketo, gone);
        return gone;
    }

    private void Settled(List<(QueuedJob Job, NotifiedJobs.Payload Payload)> work)
    {
        var now = _context.Time.GetUtcNow();
        Handled += work.Count;
        lock (_latencies)
        {
            foreach (var (_, payload) in work)
            {
                _latencies.Enqueue(now - payload.ReceivedAt);
                if (_latencies.Count > LatenciesKept) _latencies.Dequeue();
            }
        }
    }
}
