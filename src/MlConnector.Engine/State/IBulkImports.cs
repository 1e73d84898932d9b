namespace MlConnector.Engine.State;

/// <summary>A Bulk Lead Import Marketo accepted and whose outcome is not settled yet: its batch id and how many rows its file held.</summary>
public sealed record BulkImportBatch(long BatchId, int Rows, DateTimeOffset SubmittedAt);

/// <summary>
/// One pair's Bulk Lead Imports in flight (BC → Marketo leads). An import is stored with its jobs as soon as Marketo has
/// accepted its file, and removed once its outcome is settled, so a run that stopped in between (a crash, a kill) is
/// resumed by the next run polling the stored batch id rather than importing the file again.
/// </summary>
public interface IBulkImports
{
    /// <summary>The imports stored and not settled, oldest first.</summary>
    IReadOnlyList<BulkImportBatch> Open();

    /// <summary>Stores an accepted import with the jobs its file held: their ids and when each was last enqueued when the file was made.</summary>
    void Add(BulkImportBatch batch, IReadOnlyCollection<(string JobId, DateTimeOffset UpdatedAt)> jobs);

    /// <summary>
    /// Up to <paramref name="max"/> of the import's jobs in queue order after <paramref name="afterSequence"/> that are still
    /// pending as they were when the file was made; a job enqueued again since (a newer payload) is left out: its new
    /// content has not been imported.
    /// </summary>
    IReadOnlyList<(QueuedJob Job, long Sequence)> Jobs(long batchId, long afterSequence, int max);

    /// <summary>Up to <paramref name="max"/> pending jobs of the type in queue order after <paramref name="afterSequence"/>, none of them in a stored import.</summary>
    IReadOnlyList<(QueuedJob Job, long Sequence)> TakeNotImporting(string targetType, long afterSequence, int max);

    /// <summary>Forgets a settled import.</summary>
    void Remove(long batchId);
}
