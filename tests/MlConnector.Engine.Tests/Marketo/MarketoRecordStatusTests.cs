using System.Text.Json;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// The record statuses of shared/api/marketo.md §3 (sync, delete, company and list-membership calls) and "failed",
/// whatever their casing; a status the client does not know is Unknown. Only a change counts as success.
/// </summary>
public sealed class MarketoRecordStatusTests
{
    [Theory]
    [InlineData("created", MarketoRecordStatus.Created, true)]
    [InlineData("Updated", MarketoRecordStatus.Updated, true)]
    [InlineData("deleted", MarketoRecordStatus.Deleted, true)]
    [InlineData("skipped", MarketoRecordStatus.Skipped, false)]
    [InlineData("added", MarketoRecordStatus.Added, true)]
    [InlineData("removed", MarketoRecordStatus.Removed, true)]
    [InlineData("failed", MarketoRecordStatus.Failed, false)]
    [InlineData("memberof", MarketoRecordStatus.Unknown, false)]
    public void Each_status_is_read_and_only_a_change_succeeds(string status, MarketoRecordStatus expected, bool succeeded)
    {
        using var item = JsonDocument.Parse($$"""{"id":235,"status":"{{status}}"}""");

        var result = MarketoRecordResult.From(item.RootElement, 4, "r#1");

        Assert.Equal(expected, result.Status);
        Assert.Equal(succeeded, result.Succeeded);
    }
}
