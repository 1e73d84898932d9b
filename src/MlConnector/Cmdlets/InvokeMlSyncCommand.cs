using System.Diagnostics;
using System.Management.Automation;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
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
/// whatever was still pending; ends with one SyncSummary (with -PassThru, the per-record results come first).
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

    protected override void EndProcessing()
    {
        var connection = RequireConnection();
        RequireBusinessCentral();
        RequireMarketo();
        var mapping = MappingFile.Load(this, MappingPath, ErrorIdPrefix);
        using var store = OpenState();
        var pair = PairOf(connection);
        var refreshedBefore = SyncPairs.Peek(store, pair.Key).Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed);
        var target = $"Marketo {connection.MarketoMunchkinId} from Business Central {connection.BusinessCentralCompany}";
        var action = Resync ? "Re-send every customer and contact (resync), send pending records"
            : RefreshDue(refreshedBefore) ? "Sync changed customers and contacts, refresh every customer's financial figures, send pending records"
            : "Sync changed customers and contacts, send pending records";
        var go = ShouldProcessRun(target, action, out var whatIf);
        if (!go && !whatIf) return;

        var progress = new SyncProgressReporter(this);
        var bc = connection.BusinessCentral!.Client;
        var marketo = connection.Marketo!.Client;
        SyncSummary? summary = null;
        try
        {
            RunForPair(connection, store, pair, whatIf, progress, async (context, cancel) =>
            {
                var sync = CustomerSync(context, mapping, pair);
                var run = new SyncSummary { CorrelationId = context.CorrelationId, Direction = nameof(SyncDirection.BcToMarketo), PairId = context.State.PairId, AuditPath = context.Audit.Folder,
                    StateCreated = store.Created };
                var (bcCalls, marketoCalls) = (bc.CallCount, marketo.CallCount);
                var clock = Stopwatch.StartNew();
                // Read again now that this run has the pair: another run may have refreshed since.
                var before = context.State.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed);
                await PassesAsync(whatIf, sync, context, progress, before, run, cancel).ConfigureAwait(false);
                if (whatIf) return;
                run.Parked = context.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Parked);
                run.Pending = context.State.Queue(SyncDirection.BcToMarketo).Count(QueuedJobStatus.Pending);
                run.DailyCallBudgetReached = sync.DailyCallBudgetReached;
                run.MarketoCalls = marketo.CallCount - marketoCalls;
                run.BusinessCentralCalls = bc.CallCount - bcCalls;
                run.Duration = clock.Elapsed;
                summary = run;
            });
        }
        finally
        {
            progress.Complete();
        }
        if (summary is null) return;
        if (_crmSkipped > 0 && !WarnedAboutCrmSync)
            WriteWarning($"Marketo Companies are read-only on this instance (CRM sync): {_crmSkipped} company write(s) were skipped (CrmSyncEnabled); leads were still written.");
        WriteObject(summary);
    }

    /// <summary>The incremental pass, then the financial refresh when it is due and the incremental pass did not already read everything.</summary>
    private async Task PassesAsync(bool whatIf, CustomerToMarketoSync sync, SyncContext context, SyncProgressReporter progress, DateTimeOffset? refreshedBefore,
        SyncSummary summary, CancellationToken cancel)
    {
        var seen = new HashSet<(string, string)>();
        progress.Pass = Resync ? "Resync: " : "Incremental sync: ";
        await foreach (var row in Pass(whatIf, sync, new CustomerSyncRequest { Resync = Resync, BulkImportThreshold = BulkImportFrom }, cancel).ConfigureAwait(false))
        {
            seen.Add(Key(row));
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
