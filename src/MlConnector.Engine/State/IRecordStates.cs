namespace MlConnector.Engine.State;

/// <summary>
/// What the connector last wrote per target record, in one direction of one pair: a content hash of the values (never
/// the values) and the target's id. Unchanged records cost nothing; the reverse flow reads it to suppress echoes.
/// </summary>
public interface IRecordStates
{
    IReadOnlyDictionary<string, RecordState> Get(IEnumerable<string> targetKeys);

    /// <summary>Saves in one batch; a state without a target id keeps the id already known.</summary>
    void Save(IEnumerable<RecordState> states);

    int Count();
}
