using System.Management.Automation;
using MlConnector.Engine.Audit;
using MlConnector.Infrastructure;
using MlConnector.Output;

namespace MlConnector.Cmdlets;

/// <summary>
/// Reads the JSONL audit trail (one line per record a sync touched), oldest first, filtered by time, action, BC
/// number and run. Piped SyncResult or SyncSummary objects select their own run and records.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MlAuditLog")]
[OutputType(typeof(MlAuditEntry))]
public sealed class GetMlAuditLogCommand : PSCmdlet
{
    private readonly List<AuditQuery> _queries = new();

    private string ErrorIdPrefix => ErrorRecords.PrefixFor(MyInvocation.MyCommand.Name);

    [Parameter]
    public DateTimeOffset? Since { get; set; }

    [Parameter]
    public DateTimeOffset? Until { get; set; }

    /// <summary>Created, Updated, Unchanged, Skipped, Failed, Deleted (a privacy action) or Cleared (Clear-MlParkedRecord).</summary>
    [Parameter]
    [ValidateSet("Created", "Updated", "Unchanged", "Skipped", "Failed", "Deleted", "Cleared", IgnoreCase = true)]
    public string[]? Action { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? SourceNumber { get; set; }

    /// <summary>One run: the CorrelationId of its SyncSummary or results.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? CorrelationId { get; set; }

    /// <summary>The audit folder; default &lt;home&gt;/audit.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AuditPath { get; set; }

    /// <summary>For Export-Csv to a spreadsheet: text starting with =, +, -, @, tab or CR gets a leading quote so it is not run as a formula.</summary>
    [Parameter]
    public SwitchParameter EscapeFormula { get; set; }

    protected override void ProcessRecord()
    {
        _queries.Add(new AuditQuery { Since = Since, Until = Until, Actions = Action, SourceNumbers = SourceNumber, CorrelationId = CorrelationId });
    }

    // One pass over the files for every piped query: a run's results piped in do not read the trail once each.
    protected override void EndProcessing()
    {
        var folder = LocalPaths.AuditPath(this, AuditPath);
        // The default folder appears with the first run; a folder named with -AuditPath must exist.
        if (AuditPath is not null && !Directory.Exists(folder))
        {
            WriteError(ErrorRecords.Create(new ItemNotFoundException($"The audit folder '{folder}' does not exist."),
                ErrorIdPrefix + "AuditPathNotFound", ErrorCategory.ObjectNotFound, folder,
                "Pass the folder the sync wrote its audit to (the AuditPath of its SyncSummary), or leave -AuditPath out for the default folder."));
            return;
        }
        var queries = _queries.Distinct().ToList();
        var since = queries.Any(q => q.Since is null) ? null : queries.Min(q => q.Since);
        foreach (var record in new AuditLogReader(folder).Read(new AuditQuery { Since = since }, damage => WriteWarning(damage.Describe())))
        {
            if (Stopping) return;
            if (queries.Any(q => q.Matches(record))) WriteObject(MlAuditEntry.From(record, EscapeFormula));
        }
    }
}
