using MlConnector.Engine.Audit;

namespace MlConnector.Engine.Tests.Audit;

/// <summary>Runs of different sync pairs append to one audit trail at once, possibly from other processes.</summary>
public sealed class AuditLockTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-audit-lock-").FullName;

    [Fact]
    public async Task An_append_waits_while_another_writer_holds_the_folder_lock_and_then_writes_its_line_whole()
    {
        var log = new AuditLog(_folder);
        var record = new AuditRecord
        {
            Time = DateTimeOffset.UtcNow, CorrelationId = "run", Direction = "BcToMarketo", PairId = "pair-0000000000000001",
            SourceType = "Customer", SourceNumber = "C1", TargetType = "Company", Action = "Created",
        };
        Task append;
        // Another process's writer, as far as this one can tell: the lock file open exclusively.
        using (new FileStream(Path.Combine(_folder, ".audit.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            append = Task.Run(() => log.Append(record));
            await Task.Delay(300);
            Assert.False(append.IsCompleted);
            Assert.False(File.Exists(log.PathFor(record.Time)));
        }
        await append.WaitAsync(TimeSpan.FromSeconds(30));

        var line = Assert.Single(new AuditLogReader(_folder).Read(new AuditQuery()));
        Assert.Equal(("C1", "pair-0000000000000001"), (line.SourceNumber, line.PairId));
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
