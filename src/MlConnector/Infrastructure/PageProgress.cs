using System.Management.Automation;
using MlConnector.Engine.BusinessCentral;

namespace MlConnector.Infrastructure;

/// <summary>One Write-Progress activity for a paged read: updated per page from the engine, closed with Completed.</summary>
internal sealed class PageProgress(AsyncCmdlet cmdlet, string activity, string noun)
{
    private const int ActivityId = 1;
    private bool _started;

    public void Report(BcPageProgress page)
    {
        _started = true;
        var record = new ProgressRecord(ActivityId, activity, $"{page.TotalSoFar} {noun} read (page {page.PageNumber})");
        if (page.PageCount > 0 && page.PageNumber <= page.PageCount)
            record.PercentComplete = (int)(100L * page.PageNumber / page.PageCount);
        cmdlet.QueueProgressRecord(record);
    }

    /// <summary>On the pipeline thread after the read; a stopped pipeline takes its progress bar with it.</summary>
    public void Complete()
    {
        if (!_started || cmdlet.Stopping) return;
        cmdlet.WriteProgressRecord(new ProgressRecord(ActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
    }
}
