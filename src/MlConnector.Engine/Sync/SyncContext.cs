using MlConnector.Engine.Audit;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>
/// Everything one sync run works with, whichever way records travel. The caller owns (and disposes) the clients and
/// the store; what maps records belongs to the direction's sync.
/// </summary>
public sealed class SyncContext
{
    /// <summary>Reads need it; a replay only sends what the queue already holds and works without it.</summary>
    public BusinessCentralClient? BusinessCentral { get; init; }

    internal BusinessCentralClient Bc => BusinessCentral
        ?? throw new MlConnectorException("BusinessCentralNotConnected", MlErrorCategory.InvalidConfiguration,
            "This sync reads Business Central, but no Business Central client was given: connect with Connect-MlBusinessCentral.");
    public required MarketoClient Marketo { get; init; }
    /// <summary>The state of the sync pair this run works for.</summary>
    public required IPairState State { get; init; }
    /// <summary>Daily files at the console; the state store's audit table when the state lives in Table Storage.</summary>
    public required IAuditTrail Audit { get; init; }
    public IEngineLog Log { get; init; } = NullEngineLog.Instance;
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public string CorrelationId { get; init; } = Guid.NewGuid().ToString("D");
    public IProgress<SyncProgress>? Progress { get; init; }

    /// <summary>Records per planning chunk; bounds memory on large reads.</summary>
    public int ChunkSize { get; init; } = 1000;

    /// <summary>Write batches in flight at once; default: the Marketo connection's MaxConcurrency (5 of Marketo's 10).</summary>
    public int? BatchesInFlight { get; init; }
}
