namespace MlConnector.Engine.Sync;

/// <summary>The stable reason words results and the audit trail carry.</summary>
public static class SyncReasons
{
    public const string CrmSyncEnabled = "CrmSyncEnabled";
    public const string DuplicateEmail = "DuplicateEmail";
    public const string ContentUnchanged = "ContentUnchanged";

    /// <summary>Business Central deleted the record (a notification said so, or it was gone when read): deletions do not cross to Marketo.</summary>
    public const string DeletedInBusinessCentral = "DeletedInBusinessCentral";
}
