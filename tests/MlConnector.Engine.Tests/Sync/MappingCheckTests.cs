using MlConnector.Engine.Audit;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// A mapping is checked against Marketo describe before a run reads anything, so a bad mapping stops the run even when
/// nothing changed in BC (and the run never reads BC, moves a checkpoint or writes an audit line). Describe is all a
/// run that finds nothing changed costs Marketo.
/// </summary>
public sealed class MappingCheckTests
{
    private static MappingSet Unknown(string section, string field) => MappingLoader.FromUserJson(
        $$"""{ "{{section}}": { "fields": { "{{field}}": "{{(section == "lead" ? "JobTitle" : "City")}}" } } }""");

    [Theory]
    [InlineData("lead", "leadNoSuchField")]
    [InlineData("company", "companyNoSuchField")]
    public async Task A_mapping_naming_a_field_marketo_lacks_stops_a_run_that_has_nothing_to_send_before_it_reads_bc(string section, string field)
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        await sandbox.RunAsync();
        var checkpoints = sandbox.State.Checkpoints.Get(SyncCheckpoints.Contacts);
        var auditLines = new AuditLogReader(sandbox.Audit.Folder).Read(new AuditQuery()).Count();
        sandbox.Host.Journal.Clear();

        var run = await Assert.ThrowsAsync<MappingException>(() => sandbox.RunAsync(mapping: Unknown(section, field)));
        var plan = await Assert.ThrowsAsync<MappingException>(() => BcSandbox.ToListAsync(
            sandbox.Sync(Unknown(section, field)).PlanAsync(new CustomerSyncRequest(), CancellationToken.None)));

        foreach (var error in new[] { run, plan })
        {
            Assert.Equal("MappingTargetFieldUnknown", error.ErrorId);
            Assert.Equal(field, error.Field);
        }
        Assert.Empty(sandbox.Host.Journal.For(SandboxService.BusinessCentral));
        Assert.All(sandbox.Host.Journal.For(SandboxService.Marketo), e => Assert.Equal("GET", e.Method));
        Assert.Equal(checkpoints, sandbox.State.Checkpoints.Get(SyncCheckpoints.Contacts));
        Assert.Equal(auditLines, new AuditLogReader(sandbox.Audit.Folder).Read(new AuditQuery()).Count());
    }

    [Fact]
    public async Task A_run_that_finds_nothing_new_asks_marketo_only_for_describe_once_and_bc_twice()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 20);
        await sandbox.RunAsync();
        sandbox.Host.Journal.Clear();
        // The next read starts inside the overlap window, so it does get the newest records back from BC.
        Assert.NotEmpty(sandbox.State.Checkpoints.Boundary(SyncCheckpoints.Contacts));

        var sync = sandbox.Sync();
        var again = await BcSandbox.ToListAsync(sync.RunAsync(new CustomerSyncRequest(), CancellationToken.None));
        var refresh = await BcSandbox.ToListAsync(sync.RunAsync(new CustomerSyncRequest(), CancellationToken.None));

        Assert.Empty(again);
        Assert.Empty(refresh);
        var marketo = sandbox.Host.Journal.For(SandboxService.Marketo).Select(e => e.Method + " " + e.Path.Split('?')[0]).Order().ToArray();
        Assert.Equal(["GET /rest/v1/companies/describe.json", "GET /rest/v1/leads/describe2.json"], marketo);
        var bcCalls = sandbox.Host.Journal.For(SandboxService.BusinessCentral);
        Assert.Equal(4, bcCalls.Count);
        Assert.Equal(2, bcCalls.Count(c => c.Path.Contains("/customers", StringComparison.Ordinal)));
        Assert.Equal(2, bcCalls.Count(c => c.Path.Contains("/contacts", StringComparison.Ordinal)));
    }
}
