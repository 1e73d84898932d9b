using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// Issue 11: a replay plans each parked record again from its BC record as it is now and the current mapping, so a
/// mapping fixed after records were parked lets them through; a parked record whose BC record is gone leaves the queue.
/// </summary>
public sealed class ReplayTests
{
    [Fact]
    public async Task Records_parked_by_a_bad_mapping_go_through_when_replayed_with_the_fixed_mapping()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        // A date field filled from a city: Marketo refuses each lead with a city (1001), and they are parked.
        var bad = MappingLoader.FromUserJson("""{ "lead": { "fields": { "dateOfBirth": "City" } } }""");
        var first = await sandbox.RunAsync(mapping: bad);
        var failed = first.Where(r => r.Action == SyncAction.Failed).ToList();
        Assert.NotEmpty(failed);
        Assert.All(failed, r => Assert.Contains("1001", r.Reason, StringComparison.Ordinal));
        var queue = sandbox.State.Queue(SyncDirection.BcToMarketo);
        Assert.Equal(failed.Count, queue.Count(QueuedJobStatus.Parked));

        // The mapping is fixed; nothing changed in BC, so a sync does not touch them.
        Assert.DoesNotContain(await sandbox.RunAsync(), r => failed.Any(f => f.SourceNumber == r.SourceNumber));
        Assert.Equal(failed.Count, queue.Count(QueuedJobStatus.Parked));
        var gone = failed[0];
        var goneContact = sandbox.Host.BusinessCentral.Store.ContactByNumber(gone.SourceNumber)!;
        sandbox.Host.BusinessCentral.DeleteContact(goneContact.Id);

        var replayed = await BusinessCentral.BcSandbox.ToListAsync(sandbox.Sync().ReplayAsync(null, CancellationToken.None));

        Assert.All(failed.Skip(1), f => Assert.Equal(SyncAction.Created, Assert.Single(replayed, r => r.SourceNumber == f.SourceNumber).Action));
        var dropped = Assert.Single(replayed, r => r.SourceNumber == gone.SourceNumber);
        Assert.Equal((SyncAction.Skipped, SyncReasons.NotInBusinessCentral), (dropped.Action, dropped.Reason));
        Assert.Equal(0, queue.Count(QueuedJobStatus.Parked));
        Assert.Equal(0, queue.Count(QueuedJobStatus.Pending));
        foreach (var f in failed.Skip(1))
        {
            var lead = sandbox.Lead(f.TargetKey!);
            Assert.Equal(f.SourceNumber, lead.Fields["bcContactNumber"]);
            Assert.True(string.IsNullOrEmpty(lead.Fields.GetValueOrDefault("dateOfBirth")));
        }
        Assert.Equal(["Failed", "Skipped"], sandbox.Audited(gone.SourceNumber).Select(l => l.Action));
        Assert.Empty(await BusinessCentral.BcSandbox.ToListAsync(sandbox.Sync().ReplayAsync(null, CancellationToken.None)));
    }
}
