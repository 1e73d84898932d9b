using System.Management.Automation;
using System.Security;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.State;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Subscribes the connection's sync pair to Business Central change notifications: customers, and contacts where
/// webhookSupportedResources lists them at run time (otherwise a row says the poll covers contacts). Business Central
/// validates the notification URL with a handshake first, so the endpoint must be up. Without -ClientState a clientState
/// is generated and kept in the vault (one per pair); the state store keeps the subscription and where its clientState is.
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "BcSubscription", SupportsShouldProcess = true)]
[OutputType(typeof(BcSubscriptionStatus))]
public sealed class RegisterBcSubscriptionCommand : SubscriptionCmdlet
{
    /// <summary>Where Business Central posts notifications: https (plain http only on loopback).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public Uri NotificationUrl { get; set; } = null!;

    /// <summary>The entity sets to watch; contacts only where Business Central lists them as webhook-enabled.</summary>
    [Parameter(Position = 1)]
    [ValidateSet(BcSubscriptionManager.Customers, BcSubscriptionManager.Contacts)]
    public string[] Resource { get; set; } = [BcSubscriptionManager.Customers];

    /// <summary>Your own clientState (at most 2,048 characters); kept in -Vault when one is named, else you pass it again to the endpoint and renewals.</summary>
    [Parameter]
    public SecureString? ClientState { get; set; }

    /// <summary>The SecretManagement vault for the clientState; default: the default vault.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Vault { get; set; }

    protected override void EndProcessing()
    {
        var pair = RequirePair();
        using var store = OpenState();
        var states = ClientStatesWith(ClientState);
        var wanted = Resource.Distinct(StringComparer.Ordinal).ToList();
        RunOnPair(store, pair, change: true, async (subscriptions, cancel) =>
        {
            // Contacts come with customers wherever Business Central lists them; where it does not, a row says the poll covers them.
            var sets = new List<string>();
            foreach (var set in wanted.Append(BcSubscriptionManager.Contacts).Distinct(StringComparer.Ordinal))
            {
                if (await subscriptions.SupportsAsync(set, cancel).ConfigureAwait(false)) sets.Add(set);
                else if (wanted.Contains(set) || set == BcSubscriptionManager.Contacts) QueueObject(NotSupported(pair, set, wanted.Contains(set)));
            }

            var approved = new List<string>();
            foreach (var set in sets)
            {
                if (await ShouldProcessAsync($"Business Central {set} of {pair.BcCompanyName} -> {NotificationUrl}", "Register a change-notification subscription").ConfigureAwait(false))
                    approved.Add(set);
            }
            if (approved.Count == 0) return;

            var (clientState, location, generated) = await OnPipelineAsync(() => states.ForPair(pair.Key.PairId, Vault, store: true)).ConfigureAwait(false);
            if (generated) EngineLog.Verbose($"Generated a clientState for pair {pair.Key.PairId} and kept it in the vault ({location}).");
            foreach (var set in approved)
                QueueObject(await subscriptions.RegisterAsync(NotificationUrl, set, clientState, location, cancel).ConfigureAwait(false));
        });
    }

    private static BcSubscriptionStatus NotSupported(PairTarget pair, string set, bool asked) => new()
    {
        PairId = pair.Key.PairId, EntitySet = set, Status = SubscriptionState.NotSupported, Action = SubscriptionAction.Skipped,
        Reason = $"Business Central does not list {set} in webhookSupportedResources{(asked ? "" : " (it is not on the documented list)")}: " +
            "the scheduled poll on lastModifiedDateTime (Invoke-MlSync) covers its changes.",
    };
}
