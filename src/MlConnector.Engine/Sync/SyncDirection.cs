namespace MlConnector.Engine.Sync;

/// <summary>Which way records travel. Each direction keeps its own jobs and record state; audit lines and summaries name it.</summary>
public enum SyncDirection
{
    /// <summary>Business Central customers and contacts into Marketo companies and leads.</summary>
    BcToMarketo,

    /// <summary>Marketo leads into Business Central customers and contacts (the reverse flow).</summary>
    MarketoToBc,
}
