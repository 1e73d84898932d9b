using MlConnector.Engine.BusinessCentral;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>
/// Which customers a BC → Marketo sync covers: given customers, given customer numbers, every customer
/// (financial refresh), or — with none of these — everything changed since the checkpoint.
/// </summary>
public sealed class CustomerSyncRequest
{
    public IReadOnlyList<BcCustomer>? Customers { get; init; }
    public IReadOnlyList<string>? CustomerNumbers { get; init; }

    /// <summary>Re-read every customer's financial details (posting changes them without touching lastModifiedDateTime) and send only what changed.</summary>
    public bool RefreshFinancials { get; init; }

    internal bool Incremental => Customers is null && CustomerNumbers is null && !RefreshFinancials;
}
