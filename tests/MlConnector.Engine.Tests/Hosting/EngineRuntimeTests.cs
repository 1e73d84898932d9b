using MlConnector.Engine.Hosting;

namespace MlConnector.Engine.Tests.Hosting;

public sealed class EngineRuntimeTests
{
    [Fact]
    public void Describe_reports_the_msal_sqlite_and_azure_tables_it_actually_loaded()
    {
        var info = EngineRuntime.Describe();
        Assert.StartsWith("4.92.", info.MsalVersion, StringComparison.Ordinal);
        Assert.Matches(@"^3\.\d+\.\d+", info.SqliteVersion);
        Assert.StartsWith("12.13.", info.AzureTablesVersion, StringComparison.Ordinal);
        Assert.Matches(@"^1\.\d+\.\d+", info.AzureCoreVersion);
        // Outside the module (plain test host) everything is in the default context.
        Assert.Equal("Default", info.LoadContext);
    }
}
