using System.Diagnostics;
using System.Management.Automation;
using MlConnector.Connections;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>When Invoke-MlSync re-reads every customer's financial figures (postings change them without a BC modification stamp).</summary>
public enum FinancialRefresh
{
    /// <summary>When the last refresh is more than 24 hours old, or there was none.</summary>
    Daily,
    Always,
    Never,
}

/// <summary>
/// One scheduled pass for a runbook: the incremental BC → Marketo sync, the financial refresh when it is due, and
/// whatever was still pending; with -Direction MarketoToBc or Both (opt-in) also, or only, the reverse flow — Marketo
/// leads changed since its own watermark into Business Central. Ends with one SyncSummary per direction (with
/// -PassThru, the per-record results come first).
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "MlSync", SupportsShouldProcess = true)]
[OutputType(typeof(SyncSummary), typeof(SyncResult), typeof(SyncPlanRow))]
public sealed class InvokeMlSyncCommand : LeadSyncCmdlet
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(24);
    private int _crmSkipped;

    [Parameter]
    public FinancialRefresh RefreshFinancials { get; set; } = FinancialRefresh.Daily;

    /// <summary>A .json or .psd1 mapping file applied on top of the default map.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MappingPath { get; set; }

    /// <summary>Re-reads and re-sends every mapped record, whatever was sent before (the content hashes are ignored).</summary>
    [Parameter]
    public SwitchParameter Resync { get; set; }

    /// <summary>Also writes one SyncResult per record, before the summary.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// Which way to sync: BcToMarketo, MarketoToBc or Both (BC → Marketo first). Default: the profile's SyncDirection
    /// (Connect-MlBusinessCentral -SyncDirection), else BcToMarketo: writing into Business Central is opt-in.
    /// </summary>
    // A string, not the engine's enum: parameter types must load before the engine's load context is wired up.
    [Parameter]
    [ValidateSet(nameof(PairDirection.BcToMarketo), nameof(PairDirection.MarketoToBc), nameof(PairDirection.Both))]
    public string Direction { get; set; } = nameof(PairDirection.BcToMarketo);

    /// <summary>Marketo → BC: read lead changes from this time instead of the watermark (a first reverse run without it starts now).</summary>
    [Parameter]
    public DateTimeOffset? Since { get; set; }

    protected override void EndProcessing()
    {
        var connection = RequireConnection();
        RequireBusinessCentral();
        RequireMarketo();
        var direction = MyInvocation.BoundParameters.ContainsKey(nameof(Direction)) ? Enum.Parse<PairDirection>(Direction, ignoreCase: true)
            : connection.BusinessCentral!.Settings.SyncDirection ?? PairDirection.BcToMarketo;
        var (forwardOn, reverseOn) = (direction != PairDirection.MarketoToBc, direction != PairDirection.BcToMarketo);
        var mapping = MappingFile.Load(this, MappingPath, ErrorIdPrefix);
        var reverse = reverseOn ? MappingFile.LoadReverse(this, MappingPath, ErrorIdPrefix) : null;
        var pair = PairOf(connection);
        DateTimeOffset? refreshedBefore;
        using (var peek = OpenState(createIfMissing: false)) refreshedBefore = SyncPairs.Peek(peek, pair.Key).Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed);
        var target = direction switch
        {
            PairDirection.BcToMarketo => $"Marketo {connection.MarketoMunchkinId} from Business Central {connection.BusinessCentralCompany}",
            PairDirection.MarketoToBc => $"Business Central {connection.BusinessCentralCompany} from Marketo {connection.MarketoMunchkinId}",
            _ => $"Marketo {connection.MarketoMunchkinId} and Business Central {connection.BusinessCentralCompany}, both ways",
        };
        var actions = new List<string>();
        if (forwardOn)
            actions.Add(Resync ? "Re-send every customer and contact (resync), send pending records"
                : RefreshDue(refreshedBefore) ? "Sync changed customers and contacts, refresh every customer's financial figures, send pending records"
                : "Sync changed customers and contacts, send pending records");
        if (reverseOn) actions.Add("create or update Business Central customers and contacts from Marketo leads changed " + (Since is { } since ? $"since {since:u}" : "since the last read"));
        var go = ShouldProcessRun(target, string.Join("; then ", actions), out var whatIf);
        if (!go && !whatIf) return;
        using var store = OpenState(createIfMissing: !whatIf);

        var progress = new SyncProgressReporter(this);
        var bc = connection.BusinessCentral!.Client;
        var marketo = connection.Marketo!.Client;
        var summaries = new List<SyncSummary>();
        try
        {
            RunForPair(connection, store, pair, whatIf, progress, async (context, cancel) =>
            {
                var (bcCalls, marketoCalls) = (bc.CallCount, marketo.CallCount);
                var clock = Stopwatch.StartNew();
                SyncSummary Finish(SyncSummary run, SyncDirection way)
                {
                    run.Parked = context.State.Queue(way).Count(QueuedJobStatus.Parked);
                    run.Pending = context.State.Queue(way).Count(QueuedJobStatus.Pending);
                    run.MarketoCalls = marketo.CallCount - marketoCalls;
                    run.BusinessCentralCalls = bc.CallCount - bcCalls;
                    run.Duration = clock.Elapsed;
                    (bcCalls, marketoCalls) = (bc.CallCount, marketo.CallCount);
                    clock.Restart();
                    return run;
                }
                if (forwardOn)
                {
                    var sync = CustomerSync(context, mapping, pair);
                    var run = Summary(context, SyncDirection.BcToMarketo, store.Created);
                    if (!whatIf) await NotificationUpkeep.RenewAsync(context, ClientStates.For(this, ErrorIdPrefix, null), f => OnPipelineAsync(f), cancel).ConfigureAwait(false);
                    // Read again now that this run has the pair: another run may have refreshed since.
                    var before = context.State.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed);
                    await PassesAsync(whatIf, sync, context, progress, before, run, cancel).ConfigureAwait(false);
                    if (!whatIf)
                    {
                        // A spent daily call budget leaves the notified records queued too.
                        if (!sync.DailyCallBudgetReached)
                            await foreach (var result in NotificationUpkeep.NotifiedAsync(context, new(mapping, pair.CompanyKeyPrefix), cancel).ConfigureAwait(false)) Emit(result, run);
                        run.DailyCallBudgetReached = sync.DailyCallBudgetReached;
                        summaries.Add(Finish(run, SyncDirection.BcToMarketo));
                    }
                }
                if (reverseOn)
                {
                    var run = Summary(context, SyncDirection.MarketoToBc, store.Created);
                    await ReversePassAsync(whatIf, context, mapping, reverse!, pair, store, progress, run, cancel).ConfigureAwait(false);
                    if (!whatIf) summaries.Add(Finish(run, SyncDirection.MarketoToBc));
                }
            });
        }
        finally
        {
            progress.Complete();
        }
        if (summaries.Count == 0) return;
        if (_crmSkipped > 0 && !WarnedAboutCrmSync)
            WriteWarning($"Marketo Companies are read-only on this instance (CRM sync): {_crmSkipped} company write(s) were skipped (CrmSyncEnabled); leads were still written.");
        foreach (var summary in summaries) WriteObject(summary);
    }

    private static SyncSummary Summary(SyncContext context, SyncDirection direction, bool stateCreated) => new()
    {
        CorrelationId = context.CorrelationId, Direction = direction.ToString(), PairId = context.State.PairId, AuditPath = context.Audit.Location, StateCreated = stateCreated,
    };

    /// <summary>Marketo → Business Central: the leads changed since the reverse watermark (or -Since), then whatever it still has pending.</summary>
    private async Task ReversePassAsync(bool whatIf, SyncContext context, MappingSet forward, MarketoToBcMapping reverse, PairTarget pair, IStateStore store,
        SyncProgressReporter progress, SyncSummary summary, CancellationToken cancel)
    {
        progress.Pass = "Marketo to Business Central: ";
        var receiver = LeadReceiver(context, forward, reverse, pair, store);
        var sync = LeadSync(context, forward, reverse, pair, store);
        var steps = receiver.ReceiveAsync(new LeadReceiveRequest { Since = Since, AdvanceWatermark = !whatIf }, cancel);
        if (whatIf)
        {
            await foreach (var row in sync.PlanAsync(steps, cancel).ConfigureAwait(false)) QueueObject(row);
            return;
        }
        await foreach (var result in sync.RunAsync(steps, cancel).ConfigureAwait(false)) Emit(result, summary);
    }

    /// <summary>The incremental pass, then the financial refresh when it is due and the incremental pass did not already read everything.</summary>
    private async Task PassesAsync(bool whatIf, CustomerToMarketoSync sync, SyncContext context, SyncProgressReporter progress, DateTimeOffset? refreshedBefore,
        SyncSummary summary, CancellationToken cancel)
    {
        var seen = new HashSet<(string, string)>();
        progress.Pass = Resync ? "Resync: " : "Incremental sync: ";
        await foreach (var row in Pass(whatIf, sync, new CustomerSyncRequest { Resync = Resync, BulkImportThreshold = BulkImportFrom }, cancel).ConfigureAwait(false))
        {
            // Only a plan needs them (to list each record once); a run of 100,000 customers would hold every key.
            if (whatIf) seen.Add(Key(row));
            Emit(row, summary);
        }
        // A first run, like a resync, reads every customer with its financial details, which counts as the day's refresh.
        var refreshedNow = whatIf ? refreshedBefore : context.State.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed);
        if (Resync)
        {
            summary.FinancialsRefreshed = !whatIf;
            return;
        }
        if (refreshedNow != refreshedBefore)
        {
            summary.FinancialsRefreshed = true;
            return;
        }
        // A spent budget sends nothing more today: the refresh waits for a run that can send what it finds.
        if (!RefreshDue(refreshedBefore) || sync.DailyCallBudgetReached) return;
        progress.Pass = "Financial refresh: ";
        await foreach (var row in Pass(whatIf, sync, new CustomerSyncRequest { RefreshFinancials = true, BulkImportThreshold = BulkImportFrom }, cancel).ConfigureAwait(false))
        {
            // The refresh reports (and audits) every customer it compared; a plan lists each record once.
            if (whatIf && seen.Contains(Key(row))) continue;
            Emit(row, summary);
        }
        summary.FinancialsRefreshed = !whatIf;
    }

    private bool RefreshDue(DateTimeOffset? lastRefresh) => RefreshFinancials switch
    {
        FinancialRefresh.Always => true,
        FinancialRefresh.Never => false,
        _ => lastRefresh is null || DateTimeOffset.UtcNow - lastRefresh.Value >= RefreshInterval,
    };

    private static async IAsyncEnumerable<object> Pass(bool whatIf, CustomerToMarketoSync sync, CustomerSyncRequest request,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        if (whatIf)
        {
            await foreach (var row in sync.PlanAsync(request, cancel).ConfigureAwait(false)) yield return row;
        }
        else
        {
            await foreach (var result in sync.RunAsync(request, cancel).ConfigureAwait(false)) yield return result;
        }
    }

    private void Emit(object row, SyncSummary summary)
    {
        if (row is SyncResult result)
        {
            summary.Count(result.Action);
            if (result.Reason == SyncReasons.CrmSyncEnabled) _crmSkipped++;
            if (PassThru) QueueObject(result);
        }
        else
        {
            QueueObject(row);
        }
    }

    private static (string, string) Key(object row) => row switch
    {
        SyncResult r => (r.TargetType, r.SourceNumber),
        SyncPlanRow p => (p.TargetType, p.SourceNumber),
        _ => ("", ""),
    };
}
