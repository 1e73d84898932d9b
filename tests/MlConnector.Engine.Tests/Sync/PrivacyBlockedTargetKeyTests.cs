using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>A Privacy Blocked contact with no lead of its own and no usable email is reported without a target key.</summary>
public sealed class PrivacyBlockedTargetKeyTests
{
    [Fact]
    public async Task A_privacy_blocked_contact_with_an_invalid_email_and_no_link_has_no_target_key()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 3);
        var contact = sandbox.SolePersons()[0];
        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => { c.Email = "not-an-email"; c.PrivacyBlocked = true; });

        var results = await sandbox.RunAsync();

        var blocked = Assert.Single(results, r => r.SourceNumber == contact.Number);
        Assert.Equal((SyncAction.Skipped, SyncReasons.PrivacyBlocked, (string?)null), (blocked.Action, blocked.Reason, blocked.TargetKey));
    }
}
