using System.Runtime.CompilerServices;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync.MarketoToBc;

/// <summary>
/// Marketo leads into Business Central customers and person contacts. Each step of leads is checked without reading BC
/// (another pair's company key, qualification, echoes) and the rest durably queued — only then does the read ask for its
/// next step, which is when its watermark moves — and the queue is drained a batch at a time: BC reads, plan, $batch
/// writes, write-back of new customer numbers to Marketo. One result per BC record touched, audited; failures parked
/// for Invoke-MlReplay. -WhatIf plans with the same reads and a field-level diff, and writes nothing.
/// </summary>
public sealed class LeadToBusinessCentralSync
{
    /// <summary>Leads per drain batch: its reads go in a few $batch calls and its writes fill $batches of 100.</summary>
    internal const int DrainBatch = 500;

    private readonly SyncContext _context;
    private readonly LeadPlanner _planner;
    private readonly ForwardEcho _echo;
    private readonly BcLeadWriter _writer;
    private readonly QueueDrain _drain;
    private readonly IWorkQueue _queue;

    public LeadToBusinessCentralSync(SyncContext context, MarketoToBcMapper mapper, BcToMarketoMapper forward)
    {
        _context = context;
        _planner = new LeadPlanner(context, mapper);
        _echo = new ForwardEcho(context, forward, mapper);
        _writer = new BcLeadWriter(context, mapper, _planner, _echo);
        _drain = new QueueDrain(context, SyncDirection.MarketoToBc);
        _queue = context.State.Queue(SyncDirection.MarketoToBc);
    }

    /// <summary>$batch calls of this sync that carried writes to Business Central, and the write operations in them.</summary>
    public long BcWriteCalls => _writer.WriteCalls;

    public long BcWriteOperations => _writer.WriteOperations;

    public IAsyncEnumerable<SyncResult> RunAsync(IReadOnlyList<MarketoLead> leads, CancellationToken cancellationToken)
        => RunAsync(One(new ReceivedLeads(leads, [])), cancellationToken);

    /// <summary>Runs over the steps of a read (see <see cref="LeadReceiver"/>), then drains whatever is pending, earlier runs' jobs included.</summary>
    public async IAsyncEnumerable<SyncResult> RunAsync(IAsyncEnumerable<ReceivedLeads> steps, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var step in steps.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            foreach (var skipped in step.Skipped) yield return skipped;
            foreach (var settled in Accept(step.Leads)) yield return settled;
            // Full batches go out while Marketo is still being read.
            await foreach (var result in DrainAsync(cancellationToken, fullBatchesOnly: true).ConfigureAwait(false)) yield return result;
        }
        await foreach (var result in DrainAsync(cancellationToken).ConfigureAwait(false)) yield return result;
    }

    /// <summary>-WhatIf: the same reads, one row per record with the planned action and a field-level diff against Business Central.</summary>
    public async IAsyncEnumerable<SyncPlanRow> PlanAsync(IAsyncEnumerable<ReceivedLeads> steps, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var step in steps.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            foreach (var skipped in step.Skipped) yield return LeadResults.Row(skipped);
            var echoes = _echo.Echoes(step.Leads);
            foreach (var lead in step.Leads.Where(l => echoes.Contains(l.Id))) yield return LeadResults.Row(Echo(lead));
            foreach (var chunk in step.Leads.Where(l => !echoes.Contains(l.Id)).Chunk(DrainBatch))
            {
                var plans = await _planner.PlanAsync(chunk, cancellationToken).ConfigureAwait(false);
                foreach (var row in Rows(plans)) yield return row;
            }
        }
    }

    public IAsyncEnumerable<SyncPlanRow> PlanAsync(IReadOnlyList<MarketoLead> leads, CancellationToken cancellationToken)
        => PlanAsync(One(new ReceivedLeads(leads, [])), cancellationToken);

    /// <summary>Moves parked reverse jobs whose lead id matches a pattern (all, when none) back to pending and sends them.</summary>
    public IAsyncEnumerable<SyncResult> ReplayAsync(IReadOnlyCollection<string>? leadIdPatterns, CancellationToken cancellationToken)
    {
        _queue.Unpark(leadIdPatterns, _context.Time.GetUtcNow());
        return DrainAsync(cancellationToken);
    }

    private IAsyncEnumerable<SyncResult> DrainAsync(CancellationToken cancellationToken, bool fullBatchesOnly = false)
        => _drain.DrainAsync(LeadJobs.TargetType, DrainBatch, _writer.SendAsync, "Writing Business Central", cancellationToken, fullBatchesOnly);

    /// <summary>Settles what needs no Business Central read (audited now) and queues the rest.</summary>
    private List<SyncResult> Accept(IReadOnlyList<MarketoLead> leads)
    {
        var settled = new List<SyncResult>();
        if (leads.Count == 0) return settled;
        var echoes = _echo.Echoes(leads);
        var links = _planner.ContactLinks(leads);
        var now = _context.Time.GetUtcNow();
        var jobs = new List<QueuedJob>(leads.Count);
        foreach (var lead in leads)
        {
            if (echoes.Contains(lead.Id)) settled.Add(Echo(lead));
            else if (_planner.LocalSkip(lead, links.ContainsKey(lead.Id)) is { } why) settled.Add(LeadResults.Skipped(_context, lead.Id, links.GetValueOrDefault(lead.Id)?.BcNumber, why));
            else jobs.Add(LeadJobs.ToJob(lead, now));
        }
        _queue.Enqueue(jobs, now);
        SyncAudit.Write(_context, SyncDirection.MarketoToBc, settled);
        return settled;
    }

    private SyncResult Echo(MarketoLead lead)
        => LeadResults.Of(_context, lead.Id, LeadResults.Contact, null, SyncAction.Unchanged, "Echo: the lead holds what the connector last wrote to it");

    private static IEnumerable<SyncPlanRow> Rows(List<LeadPlan> plans)
    {
        foreach (var plan in plans)
        {
            if (plan.Settled is { } settled)
            {
                yield return LeadResults.Row(settled);
                continue;
            }
            var lead = plan.Lead.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (plan.Customer is { } customer && customer.FirstLeadId == plan.Lead.Id && (customer.IsNew || customer.Changes.Count > 0))
                yield return new SyncPlanRow
                {
                    SourceType = LeadResults.Source, SourceNumber = lead, TargetType = LeadResults.Customer, TargetKey = customer.Number,
                    Action = customer.IsNew ? PlannedAction.Create : PlannedAction.Update, MarketoId = plan.Lead.Id, FieldChanges = customer.Changes,
                };
            yield return new SyncPlanRow
            {
                SourceType = LeadResults.Source, SourceNumber = lead, TargetType = LeadResults.Contact, TargetKey = plan.Contact?.Number,
                Action = plan.Contact is null ? PlannedAction.Create : plan.ContactChanges.Count > 0 ? PlannedAction.Update : PlannedAction.Unchanged,
                MarketoId = plan.Lead.Id, FieldChanges = plan.ContactChanges,
            };
        }
    }

    private static async IAsyncEnumerable<ReceivedLeads> One(ReceivedLeads step)
    {
        yield return step;
        await Task.CompletedTask.ConfigureAwait(false);
    }
}
