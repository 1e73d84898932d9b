using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// Issue 10: a record's audit line is on disk before its job is settled. An audit that cannot be written stops the run
/// with the job unsettled; the next run writes the missing line and settles the job without a second Marketo write.
/// </summary>
public sealed class AuditDurabilityTests
{
    [Fact]
    public async Task An_unwritable_audit_stops_the_run_and_the_next_run_writes_the_line_without_sending_again()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var customer = sandbox.Host.BusinessCentral.Store.Customers.First(c => c.Blocked != "All");
        sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Audited Later");
        var key = "Company:" + customer.Number;
        var hashBefore = sandbox.State.Records(SyncDirection.BcToMarketo).Get([key])[key].ContentHash;
        sandbox.Host.Journal.Clear();

        // The audit folder cannot be written: a file stands where it should be.
        var folder = sandbox.Audit.Folder;
        var aside = folder + ".aside";
        Directory.Move(folder, aside);
        await File.WriteAllTextAsync(folder, "not a folder");
        var stopped = await Assert.ThrowsAsync<MlConnectorException>(() => sandbox.RunAsync());

        Assert.Equal("AuditUnwritable", stopped.ErrorId);
        Assert.Contains(folder, stopped.Message, StringComparison.Ordinal);
        Assert.Equal("Audited Later", sandbox.Host.Marketo.CompanyByExternalId(customer.Number)!.Fields["billingCity"]);
        // Unsettled: its record state is as before, it is neither done nor parked, and no line exists.
        var queue = sandbox.State.Queue(SyncDirection.BcToMarketo);
        Assert.Equal(hashBefore, sandbox.State.Records(SyncDirection.BcToMarketo).Get([key])[key].ContentHash);
        Assert.Single(queue.Answered());
        Assert.Equal((0, 0), (queue.Count(QueuedJobStatus.Pending), queue.Count(QueuedJobStatus.Parked)));
        var writes = sandbox.MarketoWrites().Count;

        File.Delete(folder);
        Directory.Move(aside, folder);
        var next = await sandbox.RunAsync();

        Assert.Equal(writes, sandbox.MarketoWrites().Count);
        Assert.DoesNotContain(next, r => r.SourceNumber == customer.Number);
        var line = Assert.Single(sandbox.Audited(customer.Number), l => l.Action == "Updated");
        Assert.Equal(MarketoRecord.Company, line.TargetType);
        Assert.Contains("billingCity", line.ChangedFields);
        Assert.Empty(queue.Answered());
        Assert.NotEqual(hashBefore, sandbox.State.Records(SyncDirection.BcToMarketo).Get([key])[key].ContentHash);
        Assert.Empty(await sandbox.RunAsync());
        Assert.Equal(writes, sandbox.MarketoWrites().Count);
    }
}
