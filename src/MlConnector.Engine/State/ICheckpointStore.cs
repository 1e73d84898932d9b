namespace MlConnector.Engine.State;

/// <summary>
/// One pair's named read positions: time checkpoints (only ever moved forward) with the records read inside their
/// overlap window, and watermarks (an opaque token, such as Marketo's paging token, with the time it stands for).
/// </summary>
public interface ICheckpointStore
{
    DateTimeOffset? Get(string name);

    /// <summary>The records an incremental read already handled inside its overlap window (id → the version read).</summary>
    IReadOnlyDictionary<Guid, ReadVersion> Boundary(string name);

    /// <summary>Advances the checkpoint and replaces its boundary records, in one batch.</summary>
    void Advance(string name, DateTimeOffset value, IEnumerable<KeyValuePair<Guid, ReadVersion>> boundary, DateTimeOffset now);

    /// <summary>Moves the checkpoint to <paramref name="value"/> if that is later than what is stored.</summary>
    void Advance(string name, DateTimeOffset value, DateTimeOffset now);

    Watermark? GetWatermark(string name);

    void SetWatermark(string name, Watermark watermark, DateTimeOffset now);
}

/// <summary>Where a feed read up to: the token to resume from and the time it stands for.</summary>
public sealed record Watermark(string Token, DateTimeOffset At);
