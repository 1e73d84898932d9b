using MlConnector.Engine.Audit;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>When the audit trail is touched, and what a run that cannot write it is told.</summary>
public sealed class SyncAuditTests : IAsyncLifetime
{
    private readonly UnwritableAudit _audit = new();
    private SyncSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await SyncSandbox.StartAsync(customers: 0);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private SyncContext Context => new() { Marketo = _sandbox.Marketo, State = _sandbox.State, Audit = _audit, Time = _sandbox.Host.Clock };

    [Fact]
    public void No_results_leave_the_audit_trail_untouched_so_an_unwritable_one_does_not_stop_the_run()
    {
        SyncAudit.Write(Context, SyncDirection.BcToMarketo, []);

        Assert.Equal(0, _audit.Appends);
    }

    [Fact]
    public void An_unwritable_trail_stops_the_run_saying_where_and_that_the_next_run_writes_the_missing_lines()
    {
        var result = new SyncResult { SourceType = "Customer", SourceNumber = "C0001", TargetType = "Company", Action = SyncAction.Created, CorrelationId = "run" };

        var stopped = Assert.Throws<MlConnectorException>(() => SyncAudit.Write(Context, SyncDirection.BcToMarketo, [result]));

        Assert.Equal(SyncAudit.UnwritableId, stopped.ErrorId);
        Assert.Contains($"'{_audit.Location}' could not be written (disk full)", stopped.Message, StringComparison.Ordinal);
        Assert.Contains("The next run writes the missing lines", stopped.Message, StringComparison.Ordinal);
    }

    private sealed class UnwritableAudit : IAuditTrail
    {
        public int Appends { get; private set; }

        public string Location => "audit-under-test";

        public bool HasHistory => false;

        public void Append(IEnumerable<AuditRecord> records)
        {
            Appends++;
            throw new IOException("disk full");
        }

        public IEnumerable<AuditRecord> Read(AuditQuery query, Action<AuditDamage>? onDamaged = null) => [];
    }
}
