using MlConnector.Engine.Hosting;

namespace MlConnector.Engine.Tests.Hosting;

public sealed class EngineRuntimeTests
{
    [Fact]
    public void Describe_reports_the_msal_and_sqlite_it_actually_loaded()
    {
        var info = EngineRuntime.Describe();
        Assert.StartsWith("4.92.", info.MsalVersion, StringComparison.Ordinal);
        Assert.Matches(@"^3\.\d+\.\d+", info.SqliteVersion);
        // Outside the module (plain test host) everything is in the default context.
        Assert.Equal("Default", info.LoadContext);
    }
}
