using System.Management.Automation;
using MlConnector.Connections;
using MlConnector.Engine.Audit;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;
using MlConnector.Infrastructure;
using MlConnector.Output;

namespace MlConnector.Cmdlets;

/// <summary>
/// Reads the audit trail (one line per record a sync touched), oldest first, filtered by time, action, BC number and
/// run: the daily JSONL files of a folder, or — with -StateStore naming a table store, or a connection that names one —
/// the audit table runs on that store write to. Piped SyncResult or SyncSummary objects select their own run and records.
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

    /// <summary>A table state store (https://&lt;account&gt;.table.core.windows.net or vault:&lt;vault&gt;/&lt;secret&gt;) whose audit table to read.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StateStore { get; set; }

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
        using var store = OpenTableStore();
        IAuditTrail trail;
        if (store is not null) trail = store.Audit;
        else
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
            trail = new AuditLog(folder);
        }
        var queries = _queries.Distinct().ToList();
        var since = queries.Any(q => q.Since is null) ? null : queries.Min(q => q.Since);
        try
        {
            foreach (var record in trail.Read(new AuditQuery { Since = since }, damage => WriteWarning(damage.Describe())))
            {
                if (Stopping) return;
                if (queries.Any(q => q.Matches(record))) WriteObject(MlAuditEntry.From(record, EscapeFormula));
            }
        }
        catch (StateStoreException e)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorIdPrefix + "StateStoreUnavailable", ErrorCategory.ResourceUnavailable, trail.Location,
                "Check the storage account's endpoint, that the identity or secret may read its tables, and the network."));
        }
    }

    /// <summary>The table store whose audit table to read: -StateStore, else (no -AuditPath) the connection's; null for the audit folder.</summary>
    private TableStateStore? OpenTableStore()
    {
        if (StateStore is not null && AuditPath is not null)
        {
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException("-StateStore and -AuditPath both name an audit trail: give one."),
                ErrorIdPrefix + "AuditSourceConflict", ErrorCategory.InvalidArgument, StateStore, "Pass -StateStore (a table store's audit table) or -AuditPath (a folder)."));
        }
        var text = StateStore ?? (AuditPath is null ? DefaultConnection.Current?.StateStore : null);
        if (text is null) return null;
        var reference = StateStoreSelection.Parse(this, text, ErrorIdPrefix);
        if (!reference.IsTable)
        {
            if (StateStore is null) return null;
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException("A SQLite state store keeps no audit: runs on it write daily files to -AuditPath (default <home>/audit)."),
                ErrorIdPrefix + "AuditNotInStore", ErrorCategory.InvalidArgument, StateStore, "Leave -StateStore out, or pass -AuditPath <folder>."));
        }
        return (TableStateStore)StateStoreSelection.Open(this, reference, ErrorIdPrefix, create: false);
    }
}
