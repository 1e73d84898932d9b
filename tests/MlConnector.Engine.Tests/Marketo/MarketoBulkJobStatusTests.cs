using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Which statuses end a bulk job, so its poll stops (shared/api/marketo.md §9): an export ends Completed, Failed or
/// cancelled (the docs spell it "Canceled" and "Cancelled"); an import ends Complete or Failed.
/// </summary>
public sealed class MarketoBulkJobStatusTests
{
    [Theory]
    [InlineData("Created", false)]
    [InlineData("Queued", false)]
    [InlineData("Processing", false)]
    [InlineData("Completed", true)]
    [InlineData("Failed", true)]
    [InlineData("Canceled", true)]
    [InlineData("Cancelled", true)]
    public void An_export_is_finished_once_completed_failed_or_cancelled(string status, bool finished)
        => Assert.Equal(finished, new MarketoExportJob("e1", status, null, null, null, null).Finished);

    [Theory]
    [InlineData("Queued", false)]
    [InlineData("Importing", false)]
    [InlineData("Complete", true)]
    [InlineData("Failed", true)]
    public void An_import_is_finished_once_complete_or_failed(string status, bool finished)
        => Assert.Equal(finished, new MarketoImportStatus(3404, status, 0, 0, 0, null).Finished);
}
