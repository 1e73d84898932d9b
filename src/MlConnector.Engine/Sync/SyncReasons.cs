namespace MlConnector.Engine.Sync;

/// <summary>The stable reason words results and the audit trail carry.</summary>
public static class SyncReasons
{
    public const string CrmSyncEnabled = "CrmSyncEnabled";
    public const string DuplicateEmail = "DuplicateEmail";
    public const string ContentUnchanged = "ContentUnchanged";

    /// <summary>The BC contact is marked Privacy Blocked: it is never sent, and a lead synced before is acted on by the mapping's whenPrivacyBlocked.</summary>
    public const string PrivacyBlocked = "PrivacyBlocked";

    /// <summary>The BC customer is blocked for all transactions (Blocked = All) and the mapping's company.whenBlocked is Skip.</summary>
    public const string CustomerBlocked = "CustomerBlocked";

    /// <summary>-WhatIf: BC is unchanged since the last write, but Marketo's values differ (edited there); this run leaves them.</summary>
    public const string MarketoDiffers = "MarketoDiffers";

    /// <summary>A parked record replayed after its BC record was deleted: nothing to send, and the parked job is dropped.</summary>
    public const string NotInBusinessCentral = "NotInBusinessCentral";

    /// <summary>Business Central deleted the record (a notification said so, or it was gone when read): deletions do not cross to Marketo.</summary>
    public const string DeletedInBusinessCentral = "DeletedInBusinessCentral";
}
