using MlConnector.Engine.Diagnostics;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>What a run establishes about Marketo before writing: whether companies are writable, and saying so.</summary>
public sealed class MarketoScopeTests
{
    private const string ReadOnlyCompanies = "Marketo Companies are read-only on this instance (CRM sync): company writes are reported as Skipped (CrmSyncEnabled); leads are still written.";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_run_warns_that_companies_are_read_only_only_when_crm_sync_is_on(bool crmSync)
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3, o => o.Marketo.CrmSync = crmSync);

        await sandbox.RunAsync();

        var warned = sandbox.Log.Lines.Count(l => l.StartsWith("WARNING " + EngineWarnings.CrmSyncEnabled, StringComparison.Ordinal) && l.EndsWith(ReadOnlyCompanies, StringComparison.Ordinal));
        Assert.Equal(crmSync ? 1 : 0, warned);
    }
}
