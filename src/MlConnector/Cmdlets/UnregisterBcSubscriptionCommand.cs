using System.Management.Automation;
using MlConnector.Engine.Notifications;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Deletes the connection's sync pair's subscriptions in Business Central and forgets them; one Business Central no
/// longer has is just forgotten. The vault keeps the pair's clientState for a later registration. The poll goes on.
/// </summary>
[Cmdlet(VerbsLifecycle.Unregister, "BcSubscription", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ByIdSet)]
[OutputType(typeof(BcSubscriptionStatus))]
public sealed class UnregisterBcSubscriptionCommand : SubscriptionCmdlet
{
    private const string ByIdSet = "ById";
    private const string AllSet = "All";
    private readonly List<string> _ids = new();

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ByIdSet)]
    [ValidateNotNullOrEmpty]
    public string[] SubscriptionId { get; set; } = [];

    /// <summary>Every subscription of the pair.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord() => _ids.AddRange(SubscriptionId);

    protected override void EndProcessing()
    {
        var pair = RequirePair();
        using var store = OpenState();
        RunOnPair(store, pair, change: true, async (subscriptions, cancel) =>
        {
            var stored = subscriptions.Stored;
            foreach (var missing in _ids.Where(id => stored.All(s => s.SubscriptionId != id)))
            {
                QueueError(ErrorRecords.Create(new ItemNotFoundException($"Sync pair {pair.Key.PairId} has no subscription '{missing}' (Get-BcSubscription lists them)."),
                    ErrorIdPrefix + "NotFound", ErrorCategory.ObjectNotFound, missing));
            }
            foreach (var subscription in stored.Where(s => All || _ids.Contains(s.SubscriptionId)))
            {
                if (!await ShouldProcessAsync(Describe(subscription), "Delete the subscription in Business Central and forget it").ConfigureAwait(false)) continue;
                QueueObject(await subscriptions.UnregisterAsync(subscription, cancel).ConfigureAwait(false));
            }
        });
    }
}
