namespace MlConnector.Engine.Sync;

/// <summary>The names of the sync's checkpoints in the state store (Invoke-MlSync reads the financial refresh time).</summary>
public static class SyncCheckpoints
{
    public const string Customers = "bc.customers.lastModified";
    public const string Contacts = "bc.contacts.lastModified";
    public const string FinancialsRefreshed = "bc.financials.refreshedAt";
}
