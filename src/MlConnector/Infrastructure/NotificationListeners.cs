using MlConnector.Output;

namespace MlConnector.Infrastructure;

/// <summary>The listeners started in this process, for Stop-MlNotificationListener and for module removal.</summary>
internal static class NotificationListeners
{
    private static readonly object Gate = new();
    private static readonly List<MlNotificationListener> Running = new();
    private static int _lastId;

    public static int NextId() => Interlocked.Increment(ref _lastId);

    public static void Add(MlNotificationListener listener)
    {
        lock (Gate) Running.Add(listener);
    }

    public static IReadOnlyList<MlNotificationListener> All()
    {
        lock (Gate) return Running.ToArray();
    }

    /// <summary>Stops and drains the listener, releases what it holds, and forgets it.</summary>
    public static async Task StopAsync(MlNotificationListener listener)
    {
        await listener.StopAsync().ConfigureAwait(false);
        await listener.DisposeAsync().ConfigureAwait(false);
        lock (Gate) Running.Remove(listener);
    }

    /// <summary>Module removal: every listener stops and drains.</summary>
    public static void StopAll()
    {
        foreach (var listener in All()) StopAsync(listener).GetAwaiter().GetResult();
    }
}
