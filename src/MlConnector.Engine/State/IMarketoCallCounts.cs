namespace MlConnector.Engine.State;

/// <summary>
/// How many Marketo API calls one pair's runs made per Marketo day (midnight to midnight US Central, as Marketo counts
/// its quota), so a daily call budget holds across runs: a runbook started every 15 minutes goes on from the count the
/// runs before it left. Each run adds the calls it made as it goes.
/// </summary>
public interface IMarketoCallCounts
{
    /// <summary>The calls counted for <paramref name="day"/>; 0 when none were.</summary>
    long Get(DateOnly day);

    /// <summary>Adds <paramref name="calls"/> to the day's count in one atomic step (other processes may add too) and returns the new count.</summary>
    long Add(DateOnly day, long calls, DateTimeOffset now);
}
