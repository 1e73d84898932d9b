using System.Management.Automation;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Drops parked records from the work queue, so they are never sent: each one after ShouldProcess, with an audit line
/// (action Cleared) written first. Takes the rows of Get-MlParkedRecord from the pipeline.
/// </summary>
[Cmdlet(VerbsCommon.Clear, "MlParkedRecord", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ParkedRecord))]
public sealed class ClearMlParkedRecordCommand : SyncCmdlet
{
    // Engine types stay out of this class's fields: its layout is computed before the module's loader can find the engine.
    private readonly List<(string Pattern, string? PairId, string? Direction)> _wanted = new();

    /// <summary>BC numbers or patterns (* and ?, or SQL LIKE % and _): '*' clears every parked record. Binds from a SourceNumber property.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("SourceNumber")]
    [ValidateNotNullOrEmpty]
    public string[] Number { get; set; } = [];

    /// <summary>Only in this sync pair (binds from Get-MlParkedRecord's PairId).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? PairId { get; set; }

    /// <summary>Only the records travelling this way (binds from Get-MlParkedRecord's Direction).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet(nameof(SyncDirection.BcToMarketo), nameof(SyncDirection.MarketoToBc))]
    public string? Direction { get; set; }

    /// <summary>Writes each cleared record.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var number in Number) _wanted.Add((ParkedQueues.ToPattern(number), PairId, Direction));
    }

    protected override void EndProcessing()
    {
        using var store = OpenState(createIfMissing: false);
        if (store.Created)
        {
            WriteVerbose($"No state store at '{store.Location}': nothing is parked.");
            return;
        }
        var audit = AuditFor(store);
        var correlationId = Guid.NewGuid().ToString("D");
        var pairs = ParkedQueues.Pairs(store, Connection ?? Connections.DefaultConnection.Current);
        var matches = _wanted.SelectMany(w => pairs.Where(p => w.PairId is null || string.Equals(p.PairId, w.PairId, StringComparison.OrdinalIgnoreCase))
                .SelectMany(p => ParkedRecords.List(p, [w.Pattern], ParkedQueues.DirectionOf(w.Direction)).Select(r => (State: p, Record: r))))
            .DistinctBy(m => (m.Record.PairId, m.Record.Direction, m.Record.SourceType, m.Record.SourceNumber)).ToList();
        if (matches.Count == 0) WriteVerbose("No parked record matches: nothing to clear.");
        foreach (var (state, record) in matches)
        {
            var target = $"parked {record.SourceType} {record.SourceNumber} -> {record.TargetType} (pair {record.PairId}, {record.Attempts} attempt(s) since {record.QueuedAt:u})";
            if (!ShouldProcess(target, "Clear (it will not be sent)")) continue;
            bool cleared;
            try
            {
                cleared = ParkedRecords.Clear(state, record, audit, correlationId, TimeProvider.System);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or StateStoreException)
            {
                ThrowTerminatingError(ErrorRecords.Create(e, ErrorIdPrefix + "AuditUnwritable", ErrorCategory.WriteError, audit.Location,
                    "Make the audit folder (or the audit table) writable, or pass another -AuditPath: a record is cleared only after its audit line is written."));
                return;
            }
            if (!cleared)
            {
                WriteWarning($"{record.SourceType} {record.SourceNumber} was not cleared: it was replayed or queued again since it was listed.");
                continue;
            }
            if (PassThru) WriteObject(record);
        }
    }
}
