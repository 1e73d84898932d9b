namespace MlConnector.Engine.Tests.Marketo;

/// <summary>The instance a connection reaches is named by its munchkin id, or by the REST host when only a base address was given.</summary>
public sealed class MarketoInstanceIdTests
{
    [Fact]
    public async Task The_munchkin_id_names_the_instance()
    {
        await using var test = await MarketoTestHost.StartAsync(o => o.Marketo.MunchkinId = "987-XYZ-654");

        Assert.Equal("987-XYZ-654", test.Client.InstanceId);
    }

    [Fact]
    public async Task Without_a_munchkin_id_the_rest_host_names_the_instance()
    {
        await using var test = await MarketoTestHost.StartAsync(settings: s => s.MunchkinId = "");

        Assert.Equal(test.Sandbox.HttpBaseUri.Authority, test.Client.InstanceId);
        Assert.StartsWith("127.0.0.1:", test.Client.InstanceId, StringComparison.Ordinal);
    }
}
