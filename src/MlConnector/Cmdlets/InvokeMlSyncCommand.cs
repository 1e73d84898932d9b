using System.Diagnostics;
using System.Management.Automation;
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
public sealed class InvokeMlSyncCommand : SyncCmdlet
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(24);
    private int _crmSkipped;

    [Parameter]
    public FinancialRefresh RefreshFinancials { get; set; } = FinancialRefresh.Daily;

    /// <summary>A .json or .psd1 mapping file applied on top of the default map.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MappingPath { get; set; }

    /// <summary>Also writes one SyncResult per record, before the summary.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        var connection = RequireConnection();
        RequireBusinessCentral();
        RequireMarketo();
        var mapping = MappingFile.Load(this, MappingPath, ErrorIdPrefix);
        using var state = OpenState();
        var refreshedBefore = state.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed);
        var refresh = RefreshDue(refreshedBefore);
        var target = $"Marketo {connection.MarketoMunchkinId} from Business Central {connection.BusinessCentralCompany}";
        var action = refresh
            ? "Sync changed customers and contacts, refresh every customer's financial figures, send pending records"
            : "Sync changed customers and contacts, send pending records";
        var go = ShouldProcessRun(target, action, out var whatIf);
        if (!go && !whatIf) return;

        var progress = new SyncProgressReporter(this);
        var context = CreateContext(connection, state, progress);
        var sync = CustomerSync(context, mapping);
        var bc = connection.BusinessCentral!.Client;
        var marketo = connection.Marketo!.Client;
        var summary = new SyncSummary { CorrelationId = context.CorrelationId, Direction = "BcToMarketo", AuditPath = context.Audit.Folder };
        var (bcCalls, marketoCalls) = (bc.CallCount, marketo.CallCount);
        var clock = Stopwatch.StartNew();
        try
        {
            RunSync(async cancel =>
            {
                var seen = new HashSet<(string, string)>();
                progress.Pass = "Incremental sync: ";
                await foreach (var row in Pass(whatIf, sync, new CustomerSyncRequest(), cancel).ConfigureAwait(false))
                {
                    seen.Add(Key(row));
                    Emit(row, summary);
                }
                // A first run reads every customer with its financial details, which counts as the day's refresh.
                var refreshedNow = whatIf ? refreshedBefore : state.Checkpoints.Get(SyncCheckpoints.FinancialsRefreshed);
                if (refreshedNow != refreshedBefore)
                {
                    summary.FinancialsRefreshed = true;
                    return;
                }
                if (!refresh) return;
                progress.Pass = "Financial refresh: ";
                await foreach (var row in Pass(whatIf, sync, new CustomerSyncRequest { RefreshFinancials = true }, cancel).ConfigureAwait(false))
                {
                    // The refresh reports (and audits) every customer it compared; a plan lists each record once.
                    if (whatIf && seen.Contains(Key(row))) continue;
                    Emit(row, summary);
                }
                summary.FinancialsRefreshed = !whatIf;
            });
        }
        finally
        {
            progress.Complete();
        }
        if (whatIf) return;

        summary.Parked = state.Queue.Count(Engine.State.QueuedJobStatus.Parked);
        summary.MarketoCalls = marketo.CallCount - marketoCalls;
        summary.BusinessCentralCalls = bc.CallCount - bcCalls;
        summary.Duration = clock.Elapsed;
        if (_crmSkipped > 0 && !WarnedAboutCrmSync)
            WriteWarning($"Marketo Companies are read-only on this instance (CRM sync): {_crmSkipped} company write(s) were skipped (CrmSyncEnabled); leads were still written.");
        WriteObject(summary);
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
