namespace MlConnector.Engine.Audit;

/// <summary>
/// Where a run's audit lines go and are read back from: daily JSONL files in a folder (<see cref="AuditLog"/>, at the
/// console), or the audit table of the storage account that holds a table state store (<see cref="State.Tables.TableAuditTrail"/>,
/// in a runbook). Both keep the same lines.
/// </summary>
public interface IAuditTrail
{
    /// <summary>The folder, or the audit table's endpoint, for messages and the run's summary.</summary>
    string Location { get; }

    /// <summary>Whether any run has written to this trail before.</summary>
    bool HasHistory { get; }

    void Append(IEnumerable<AuditRecord> records);

    /// <summary>The lines matching the query, oldest first; lines that cannot be read are skipped and reported.</summary>
    IEnumerable<AuditRecord> Read(AuditQuery query, Action<AuditDamage>? onDamaged = null);
}
