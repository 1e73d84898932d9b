namespace MlConnector.Engine.Sync;

/// <summary>The one object a scheduled pass ends with: counts per direction and action, API calls, duration.</summary>
public sealed class SyncSummary
{
    public required string CorrelationId { get; init; }
    public required string Direction { get; init; }

    /// <summary>The sync pair the run worked for (see Get-MlSyncState).</summary>
    public string? PairId { get; init; }
    public int Created { get; set; }
    public int Updated { get; set; }
    public int Unchanged { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }

    /// <summary>Leads deleted in Marketo because their contact became Privacy Blocked (whenPrivacyBlocked = DeleteLead).</summary>
    public int Deleted { get; set; }
    public int Parked { get; set; }

    /// <summary>Records still queued after the run (the daily call budget stopped it, or a failure did); the next run sends them.</summary>
    public int Pending { get; set; }

    /// <summary>The run stopped sending because the connection's daily Marketo call budget was spent (-DailyCallBudget).</summary>
    public bool DailyCallBudgetReached { get; set; }
    public long MarketoCalls { get; set; }
    public long BusinessCentralCalls { get; set; }
    public bool FinancialsRefreshed { get; set; }

    /// <summary>The state database was created by this run (first run, or it was deleted or emptied): everything was read and sent.</summary>
    public bool StateCreated { get; set; }
    public TimeSpan Duration { get; set; }
    public string? AuditPath { get; set; }

    public void Count(SyncAction action)
    {
        switch (action)
        {
            case SyncAction.Created: Created++; break;
            case SyncAction.Updated: Updated++; break;
            case SyncAction.Unchanged: Unchanged++; break;
            case SyncAction.Skipped: Skipped++; break;
            case SyncAction.Deleted: Deleted++; break;
            default: Failed++; break;
        }
    }
}
