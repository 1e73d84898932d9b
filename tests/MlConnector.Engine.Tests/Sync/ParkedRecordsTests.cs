using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// Clearing a parked record (Clear-MlParkedRecord): the audit line first, then the job leaves the queue; a record
/// parked again since it was listed is left alone.
/// </summary>
public sealed class ParkedRecordsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private SyncSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await SyncSandbox.StartAsync(customers: 0);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private IWorkQueue Queue => _sandbox.State.Queue(SyncDirection.BcToMarketo);

    [Fact]
    public void Clearing_a_listed_record_writes_its_audit_line_and_drops_it_from_the_queue()
    {
        Park("C0001", "1003 Invalid email", T0.AddMinutes(1));
        var listed = Assert.Single(ParkedRecords.List(_sandbox.State, null));

        Assert.True(Clear(listed));

        Assert.Empty(ParkedRecords.List(_sandbox.State, null));
        Assert.Equal(0, Queue.Count(QueuedJobStatus.Pending));
        var line = Assert.Single(_sandbox.Audited("C0001"));
        Assert.Equal((ParkedRecords.ClearedAction, "clearing", "Company"), (line.Action, line.CorrelationId, line.TargetType));
        Assert.Equal("Cleared from the parked records after 1 attempt(s); last refusal: 1003 Invalid email", line.Reason);
    }

    [Fact]
    public void A_record_parked_again_since_it_was_listed_is_not_cleared()
    {
        var job = Park("C0001", "1003 first", T0.AddMinutes(1));
        var listed = Assert.Single(ParkedRecords.List(_sandbox.State, null));
        Queue.Park([(job, "1003 second")], T0.AddMinutes(2));

        Assert.False(Clear(listed));

        Assert.Equal("1003 second", Assert.Single(ParkedRecords.List(_sandbox.State, null)).Reason);
        Assert.Empty(_sandbox.Audited("C0001"));
    }

    [Fact]
    public void A_record_no_longer_parked_is_not_cleared()
    {
        Park("C0001", "1003 refused", T0.AddMinutes(1));
        var listed = Assert.Single(ParkedRecords.List(_sandbox.State, null));
        Queue.Unpark(null, T0.AddMinutes(2));

        Assert.False(Clear(listed));

        Assert.Equal(1, Queue.Count(QueuedJobStatus.Pending));
        Assert.Empty(_sandbox.Audited("C0001"));
    }

    [Fact]
    public void Missing_arguments_are_refused_by_name()
    {
        Park("C0001", "1003 refused", T0.AddMinutes(1));
        var listed = Assert.Single(ParkedRecords.List(_sandbox.State, null));

        Assert.Equal("state", Assert.Throws<ArgumentNullException>(() => ParkedRecords.List(null!, null)).ParamName);
        Assert.Equal("state", Assert.Throws<ArgumentNullException>(() => ParkedRecords.Clear(null!, listed, _sandbox.Audit, "clearing", _sandbox.Host.Clock)).ParamName);
        Assert.Equal("record", Assert.Throws<ArgumentNullException>(() => ParkedRecords.Clear(_sandbox.State, null!, _sandbox.Audit, "clearing", _sandbox.Host.Clock)).ParamName);
        Assert.Equal("audit", Assert.Throws<ArgumentNullException>(() => ParkedRecords.Clear(_sandbox.State, listed, null!, "clearing", _sandbox.Host.Clock)).ParamName);
        Assert.Single(ParkedRecords.List(_sandbox.State, null));
    }

    private bool Clear(ParkedRecord record) => ParkedRecords.Clear(_sandbox.State, record, _sandbox.Audit, "clearing", _sandbox.Host.Clock);

    private QueuedJob Park(string number, string reason, DateTimeOffset at)
    {
        Queue.Enqueue([new QueuedJob("Company:" + number, "Company", "Customer", number, "{}", QueuedJobStatus.Pending, 0, null, T0, T0)], T0);
        var job = Assert.Single(Queue.Take(QueuedJobStatus.Pending, "Company", 10));
        Queue.Park([(job, reason)], at);
        return job;
    }
}
