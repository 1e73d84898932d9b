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

    /// <summary>
    /// Treat every record as changed: ignore the content hashes of what was last written and, with no customers given,
    /// read everything rather than what changed since the checkpoint. For a mapping changed outside the mapping file,
    /// a Marketo restore, or doubt. Queue, audit and -WhatIf work as in any run; checkpoints move as after a first run.
    /// </summary>
    public bool Resync { get; init; }

    /// <summary>
    /// Leads go by Marketo's Bulk Lead Import (CSV files) when at least this many are queued once every contact is
    /// planned; fewer go by REST as usual. Null: always REST. Companies always go by REST, first.
    /// </summary>
    public int? BulkImportThreshold { get; init; }


    /// <summary>A replay: the parked contacts to plan again, read by contact number (their customers are not read for them).</summary>
    internal IReadOnlyCollection<string>? ContactNumbers { get; init; }

    /// <summary>A replay of parked records: planned again from BC and the current mapping, content hashes ignored.</summary>
    internal bool Replay { get; init; }

    internal bool Incremental => Customers is null && CustomerNumbers is null && !RefreshFinancials && !Replay;

    /// <summary>Named customers (piped, or -Number): the records their hashes call unchanged are checked against Marketo and sent when it differs.</summary>
    internal bool Named => !Replay && (Customers is not null || CustomerNumbers is not null);

    /// <summary>An incremental request that reads from the checkpoints (not a resync, which reads everything).</summary>
    internal bool FromCheckpoints => Incremental && !Resync;
}
