using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// Marketo keys leads on email, so two BC person contacts with one email (however cased or padded) are one lead: the
/// first contact that reaches it owns it, and every other contact with that email is Skipped (DuplicateEmail, naming the
/// owner) and never sent — in the run that meets both, and in later runs, when only the other one changed.
/// </summary>
public sealed class DuplicateEmailTests
{
    [Fact]
    public async Task The_second_contact_with_an_email_is_skipped_naming_the_first_and_never_sent()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        var bc = sandbox.Host.BusinessCentral;
        var company = bc.Store.Customers[0].CompanyContact!.Number;
        var owner = bc.AddPersonContact("Dana Owner", "shared.inbox@example.com", company);
        var other = bc.AddPersonContact("Dana Other", "  Shared.Inbox@EXAMPLE.com ", company);
        bc.ModifyContactInUi(owner.Id, c => c.JobTitle = "Owner's title");
        bc.ModifyContactInUi(other.Id, c => c.JobTitle = "Other's title");

        var first = await sandbox.RunAsync();

        Assert.Equal(SyncAction.Created, Assert.Single(first, r => r.SourceNumber == owner.Number).Action);
        AssertSkippedFor(Assert.Single(first, r => r.SourceNumber == other.Number), owner.Number);
        var lead = Assert.Single(sandbox.Host.Marketo.LeadsByEmail("shared.inbox@example.com"));
        Assert.Equal(("Owner's title", owner.Number), (lead.Fields["title"], lead.Fields["bcContactNumber"]));
        var sentKeys = sandbox.Host.Marketo.Writes.Snapshot().Where(w => w.Object == "lead").SelectMany(w => w.Keys).ToList();
        Assert.Single(sentKeys, k => k == "shared.inbox@example.com");

        // Later only the other contact changes: still skipped, naming the owner, and not sent.
        sandbox.Host.Marketo.Writes.Clear();
        bc.ModifyContactInUi(other.Id, c => c.JobTitle = "Other's new title");
        var second = await sandbox.RunAsync();

        AssertSkippedFor(Assert.Single(second, r => r.SourceNumber == other.Number), owner.Number);
        Assert.DoesNotContain(sandbox.Host.Marketo.Writes.Snapshot().SelectMany(w => w.Keys), k => k == "shared.inbox@example.com");
        Assert.Equal("Owner's title", Assert.Single(sandbox.Host.Marketo.LeadsByEmail("shared.inbox@example.com")).Fields["title"]);

        // The owner's own change is written.
        bc.ModifyContactInUi(owner.Id, c => c.JobTitle = "Owner's new title");
        var third = await sandbox.RunAsync();
        Assert.Equal(SyncAction.Updated, Assert.Single(third, r => r.SourceNumber == owner.Number).Action);
        Assert.Equal("Owner's new title", Assert.Single(sandbox.Host.Marketo.LeadsByEmail("shared.inbox@example.com")).Fields["title"]);
    }

    private static void AssertSkippedFor(SyncResult result, string ownerNumber)
    {
        Assert.Equal(SyncAction.Skipped, result.Action);
        Assert.Equal(MarketoRecord.Lead, result.TargetType);
        Assert.StartsWith(SyncReasons.DuplicateEmail + ":", result.Reason);
        Assert.Contains($"contact {ownerNumber} ", result.Reason);
    }
}
