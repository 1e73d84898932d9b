using MlConnector.Engine.Cloud;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;

namespace MlConnector.SyncRunner;

/// <summary>
/// One of two writer processes updating the same pair at the same time (ConcurrentWriterTests): after the gate file
/// appears, each round parks the shared job (attempts + 1), enqueues a job of its own, advances a checkpoint to a
/// value from its own sequence and counts one Marketo call for the day. A store that lost an update shows it in the
/// counts the test checks afterwards.
/// --sqlite &lt;file&gt; | --table-connection &lt;connection string&gt; --table-prefix &lt;prefix&gt;; --pair, --writer, --rounds, --gate.
/// </summary>
internal static class Contend
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    public static readonly DateOnly Day = DateOnly.FromDateTime(T0.UtcDateTime);

    public static async Task<IReadOnlyDictionary<string, object?>> RunAsync(RunnerArguments arguments, CancellationToken cancellationToken)
    {
        using var store = Open(arguments);
        var pair = store.Pair(arguments.Required("--pair"));
        var writer = arguments.Required("--writer");
        var rounds = arguments.Int("--rounds", 20);
        var queue = pair.Queue(SyncDirection.BcToMarketo);
        var shared = new QueuedJob("company:SHARED", "Company", "Customer", "SHARED", "{}", QueuedJobStatus.Pending, 0, null, T0, T0);
        var gate = arguments.Required("--gate");
        await File.WriteAllTextAsync(gate + "." + writer, "ready", cancellationToken);
        while (!File.Exists(gate)) await Task.Delay(10, cancellationToken);

        var before = TableStateStore.ConflictRetries;
        var highest = 0;
        for (var i = 0; i < rounds; i++)
        {
            queue.Park([(shared, $"{writer} round {i}")], T0.AddSeconds(i));
            queue.Enqueue([shared with { JobId = $"company:{writer}-{i}", SourceNumber = $"{writer}-{i}" }], T0.AddSeconds(i));
            var value = Value(writer, i);
            highest = Math.Max(highest, value);
            pair.Checkpoints.Advance("contended", T0.AddSeconds(value), T0);
            pair.MarketoCalls.Add(Day, 1, T0.AddSeconds(i));
        }
        return new Dictionary<string, object?>
        {
            ["writer"] = writer, ["rounds"] = rounds, ["highestCheckpointSeconds"] = highest, ["conflictRetries"] = TableStateStore.ConflictRetries - before,
        };
    }

    /// <summary>The checkpoint value a writer sets in round <paramref name="round"/>: jumping back and forth, so an unconditional write would move it back.</summary>
    private static int Value(string writer, int round) => (round * 37 + writer[^1] * 11) % 97;

    private static IStateStore Open(RunnerArguments arguments) => arguments.Optional("--sqlite") is { } path
        ? SqliteStateStore.Open(path)
        : TableStateStore.Open(TableStoreAccount.WithSecret(new SecretText(arguments.Required("--table-connection"))), arguments.Required("--table-prefix"));
}
