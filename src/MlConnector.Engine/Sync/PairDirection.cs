namespace MlConnector.Engine.Sync;

/// <summary>
/// Which way a scheduled run of a pair syncs. Writing into Business Central is opt-in: the default stays
/// <see cref="BcToMarketo"/>, so a runbook does not start creating customers after an upgrade.
/// </summary>
public enum PairDirection
{
    /// <summary>Business Central customers and contacts into Marketo (the default).</summary>
    BcToMarketo,

    /// <summary>New and changed Marketo leads into Business Central customers and contacts.</summary>
    MarketoToBc,

    /// <summary>Business Central → Marketo, then Marketo → Business Central, each with its own checkpoint.</summary>
    Both,
}
