using System.Management.Automation;
using MlConnector.Infrastructure;
using MlConnector.Output;

namespace MlConnector.Cmdlets;

/// <summary>
/// Stops self-hosted notification listeners of this session and drains them: no new request is accepted, those in
/// flight are answered, the worker sends what is queued (up to the listener's drain timeout) and releases the pair's
/// lease; anything left stays queued for the next Invoke-MlSync. Without -Listener, every listener of the session stops.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "MlNotificationListener", SupportsShouldProcess = true)]
[OutputType(typeof(MlNotificationListener))]
public sealed class StopMlNotificationListenerCommand : AsyncCmdlet
{
    private readonly List<MlNotificationListener> _listeners = new();

    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public MlNotificationListener[]? Listener { get; set; }

    /// <summary>Writes each stopped listener with its final counters.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (Listener is not null) _listeners.AddRange(Listener);
    }

    protected override void EndProcessing()
    {
        var targets = (_listeners.Count > 0 ? _listeners : NotificationListeners.All()).Distinct().Where(l => l.State == "Running").ToList();
        foreach (var listener in targets)
        {
            if (!ShouldProcess($"{listener.Prefix} (listener {listener.Id}, pair {listener.PairId})", "Stop listening and drain")) continue;
            RunPumped(_ => NotificationListeners.StopAsync(listener), listener.Prefix);
            if (PassThru) WriteObject(listener);
        }
    }
}
