using System.Management.Automation;

namespace MlConnector.Infrastructure;

/// <summary>The sync cmdlets that read BC and write leads: -BulkImport and -BulkImportThreshold.</summary>
public abstract class LeadSyncCmdlet : SyncCmdlet
{
    /// <summary>The -BulkImportThreshold default: below it a first load goes by REST as fast as the quota allows.</summary>
    public const int DefaultBulkImportThreshold = 20000;

    /// <summary>
    /// Leads go by Marketo's Bulk Lead Import (CSV files of at most 10 MB, two imports at once) when at least
    /// -BulkImportThreshold of them are queued once every contact is planned; companies still go first, by REST.
    /// </summary>
    [Parameter]
    public SwitchParameter BulkImport { get; set; }

    /// <summary>How many queued leads make a run use Bulk Lead Import (with -BulkImport); default 20000.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int BulkImportThreshold { get; set; } = DefaultBulkImportThreshold;

    /// <summary>The engine's threshold: null (REST only) without -BulkImport.</summary>
    private protected int? BulkImportFrom => BulkImport ? BulkImportThreshold : null;
}
