using System.Management.Automation;
using MlConnector.Engine.Notifications;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// The connection's sync pair's subscriptions as the state store keeps them and Business Central holds them now:
/// Active with the time left on BC's clock, or Gone (expired, or deleted after failed deliveries). Reads only.
/// </summary>
[Cmdlet(VerbsCommon.Get, "BcSubscription")]
[OutputType(typeof(BcSubscriptionStatus))]
public sealed class GetBcSubscriptionCommand : SubscriptionCmdlet
{
    private readonly List<string> _ids = new();

    /// <summary>Only these subscriptions (default: every one of the pair).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? SubscriptionId { get; set; }

    protected override void ProcessRecord()
    {
        if (SubscriptionId is not null) _ids.AddRange(SubscriptionId);
    }

    protected override void EndProcessing()
    {
        var pair = RequirePair();
        using var store = OpenState();
        RunOnPair(store, pair, change: false, async (subscriptions, cancel) =>
        {
            foreach (var check in await subscriptions.CheckAsync(null, _ids.Count == 0 ? null : _ids, cancel).ConfigureAwait(false))
                QueueObject(subscriptions.Describe(check));
        });
    }
}
