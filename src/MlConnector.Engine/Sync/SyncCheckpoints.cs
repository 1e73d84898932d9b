namespace MlConnector.Engine.Sync;

/// <summary>
/// The names of every checkpoint and watermark a sync pair keeps, both directions in one place (Invoke-MlSync reads
/// the financial refresh time, Get-MlSyncState shows them all).
/// </summary>
public static class SyncCheckpoints
{
    /// <summary>BC → Marketo: the newest customer lastModifiedDateTime read.</summary>
    public const string Customers = "bc.customers.lastModified";

    /// <summary>BC → Marketo: the newest contact lastModifiedDateTime read.</summary>
    public const string Contacts = "bc.contacts.lastModified";

    /// <summary>BC → Marketo: when every customer's financial figures were last read.</summary>
    public const string FinancialsRefreshed = "bc.financials.refreshedAt";

    /// <summary>Marketo → BC: the lead change feed's watermark (paging token and the time it stands for).</summary>
    public const string LeadChanges = "marketo.leadChanges";

    /// <summary>Marketo → BC: how far a bulk-extract backfill got (a watermark; its token says where it ends and where the feed then resumes).</summary>
    public const string LeadBackfill = "marketo.leadBackfill";
}
