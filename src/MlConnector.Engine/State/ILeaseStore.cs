namespace MlConnector.Engine.State;

/// <summary>
/// One pair's run lease: at most one holder at a time, until it releases the lease or lets it expire. Acquiring is
/// atomic across processes (SQLite: an immediate transaction; a table store: an ETag-conditional write).
/// </summary>
public interface ILeaseStore
{
    /// <summary>Takes the lease when it is free, expired or already <paramref name="holder"/>'s; otherwise reports who holds it.</summary>
    LeaseAttempt TryAcquire(LeaseHolder holder, DateTimeOffset now);

    /// <summary>Moves the holder's expiry on; false when the holder no longer has the lease.</summary>
    bool Renew(string holderId, DateTimeOffset expiresAt);

    void Release(string holderId);

    /// <summary>The holder whose lease has not expired at <paramref name="now"/>, if any.</summary>
    LeaseHolder? Current(DateTimeOffset now);
}

/// <summary>Who holds (or asks for) a pair's lease, and until when.</summary>
public sealed record LeaseHolder(string HolderId, int ProcessId, string HostName, DateTimeOffset StartedAt, DateTimeOffset ExpiresAt);

/// <summary>The outcome of asking for a lease: taken, or the holder in the way.</summary>
public sealed record LeaseAttempt(bool Acquired, LeaseHolder Holder);
