using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>Each sync action as the "action" value Marketo's sync calls take (shared/api/marketo.md §5.1).</summary>
public sealed class MarketoSyncActionTests
{
    [Theory]
    [InlineData(MarketoSyncAction.CreateOrUpdate, "createOrUpdate")]
    [InlineData(MarketoSyncAction.CreateOnly, "createOnly")]
    [InlineData(MarketoSyncAction.UpdateOnly, "updateOnly")]
    [InlineData(MarketoSyncAction.CreateDuplicate, "createDuplicate")]
    public void Each_action_has_its_api_name(MarketoSyncAction action, string expected)
        => Assert.Equal(expected, action.ToApi());
}
