namespace MlConnector.Engine.Sync;

internal static class SyncCheckpoints
{
    public const string Customers = "bc.customers.lastModified";
    public const string Contacts = "bc.contacts.lastModified";
    public const string FinancialsRefreshed = "bc.financials.refreshedAt";
}
