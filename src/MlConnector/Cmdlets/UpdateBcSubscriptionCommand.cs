using System.Management.Automation;
using System.Security;
using MlConnector.Engine.Notifications;
using MlConnector.Infrastructure;

namespace MlConnector.Cmdlets;

/// <summary>
/// Renews the connection's sync pair's subscriptions for another three days (Business Central runs the handshake again)
/// and re-creates those Business Central deleted — expired, or dropped after failed deliveries; the poll on
/// lastModifiedDateTime backfills what changed meanwhile. -ExpiringWithin 1d is the renewal pass: only those with less
/// than that left (on BC's clock) are renewed. Invoke-MlSync runs that pass on every run.
/// </summary>
[Cmdlet(VerbsData.Update, "BcSubscription", SupportsShouldProcess = true)]
[OutputType(typeof(BcSubscriptionStatus))]
public sealed class UpdateBcSubscriptionCommand : SubscriptionCmdlet
{
    private readonly List<string> _ids = new();

    /// <summary>Only these subscriptions (default: every one of the pair).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? SubscriptionId { get; set; }

    /// <summary>Renew only those expiring within this time ("1d", "12h", or a TimeSpan); those Business Central deleted are re-created whatever it says.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? ExpiringWithin { get; set; }

    /// <summary>The clientState of subscriptions registered with your own -ClientState and no vault (needed to re-create them).</summary>
    [Parameter]
    public SecureString? ClientState { get; set; }

    protected override void ProcessRecord()
    {
        if (SubscriptionId is not null) _ids.AddRange(SubscriptionId);
    }

    protected override void EndProcessing()
    {
        if (ExpiringWithin is { } window && window <= TimeSpan.Zero)
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException("-ExpiringWithin must be positive, such as 1d."), ErrorIdPrefix + "InvalidWindow", ErrorCategory.InvalidArgument, window));
        var pair = RequirePair();
        using var store = OpenState();
        var source = SourceOf(ClientStatesWith(ClientState));
        RunOnPair(store, pair, change: true, async (subscriptions, cancel) =>
        {
            foreach (var check in await subscriptions.CheckAsync(ExpiringWithin, _ids.Count == 0 ? null : _ids, cancel).ConfigureAwait(false))
            {
                var action = check.Need switch { SubscriptionNeed.Renew => "Renew for three days", SubscriptionNeed.Recreate => "Re-create (Business Central no longer has it)", _ => null };
                if (action is null)
                {
                    QueueObject(subscriptions.Describe(check));
                    continue;
                }
                if (!await ShouldProcessAsync(Describe(check.Stored), action).ConfigureAwait(false)) continue;
                QueueObject(await subscriptions.ApplyAsync(check, source, cancel).ConfigureAwait(false));
            }
        });
    }
}
