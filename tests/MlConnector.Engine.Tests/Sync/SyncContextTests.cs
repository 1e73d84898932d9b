using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

public sealed class SyncContextTests
{
    [Fact]
    public async Task A_sync_that_reads_Business_Central_without_a_client_is_told_to_connect_one()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 0);
        var context = new SyncContext { Marketo = sandbox.Marketo, State = sandbox.State, Audit = sandbox.Audit };

        var refused = Assert.Throws<MlConnectorException>(() => context.Bc);

        Assert.Equal(("BusinessCentralNotConnected", MlErrorCategory.InvalidConfiguration), (refused.ErrorId, refused.Category));
        Assert.Contains("Connect-MlBusinessCentral", refused.Message, StringComparison.Ordinal);
    }
}
