using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// Issue 10: who a lead's email belongs to follows BC as it is now. When the contact that last wrote a lead no longer
/// holds its address (its email changed, or it was deleted), the contact that holds it now takes the lead over; two
/// current contacts with one address are one lead, and the lowest contact number is it. Each case ends with BC's truth
/// in Marketo, and a further run changes nothing.
/// </summary>
public sealed class EmailOwnershipTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_address_given_up_by_one_contact_and_taken_by_another_becomes_the_lead_of_the_new_holder(bool sameRun)
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var bc = sandbox.Host.BusinessCentral;
        var (a, b) = (sandbox.SolePersons()[0], sandbox.SolePersons()[1]);
        var (address, addressOfB) = (a.Email, b.Email);

        bc.ModifyContactInUi(a.Id, c => c.Email = "moved.on@example.org");
        // Either in the same run, or later: then the state still says A wrote the lead, and only BC can say A moved on.
        if (!sameRun) await sandbox.RunAsync();
        bc.ModifyContactInUi(b.Id, c => c.Email = address);
        var results = await sandbox.RunAsync();

        var taken = Assert.Single(results, r => r.SourceNumber == b.Number);
        Assert.Equal(SyncAction.Updated, taken.Action);
        var lead = sandbox.Lead(address);
        Assert.Equal((b.Number, b.Surname), (lead.Fields["bcContactNumber"], lead.Fields["lastName"]));
        Assert.Equal(a.Number, sandbox.Lead("moved.on@example.org").Fields["bcContactNumber"]);
        // B's old address keeps the lead B wrote before; nobody holds it now.
        Assert.Equal(b.Number, sandbox.Lead(addressOfB).Fields["bcContactNumber"]);
        Assert.DoesNotContain(results, r => r.Reason?.StartsWith(SyncReasons.DuplicateEmail, StringComparison.Ordinal) == true && (r.SourceNumber == a.Number || r.SourceNumber == b.Number));

        bc.ModifyContactInUi(b.Id, c => c.JobTitle = "Still here");
        var again = await sandbox.RunAsync();
        Assert.Equal(SyncAction.Updated, Assert.Single(again, r => r.SourceNumber == b.Number).Action);
        Assert.Equal("Still here", sandbox.Lead(address).Fields["title"]);
    }

    [Fact]
    public async Task An_address_of_a_deleted_contact_passes_to_the_new_contact_that_holds_it()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var bc = sandbox.Host.BusinessCentral;
        var a = sandbox.SolePersons()[0];
        bc.DeleteContact(a.Id);
        var c = bc.AddPersonContact("Carla Newcomer", a.Email, a.CompanyNumber);

        var results = await sandbox.RunAsync();

        var taken = Assert.Single(results, r => r.SourceNumber == c.Number);
        Assert.Equal(SyncAction.Updated, taken.Action);
        var lead = sandbox.Lead(a.Email);
        Assert.Equal((c.Number, "Newcomer"), (lead.Fields["bcContactNumber"], lead.Fields["lastName"]));
        sandbox.Host.Journal.Clear();
        Assert.DoesNotContain(await sandbox.RunAsync(), r => r.Action is SyncAction.Created or SyncAction.Updated or SyncAction.Skipped);
        Assert.Empty(sandbox.MarketoWrites());
    }

    [Fact]
    public async Task Two_current_contacts_with_one_address_are_one_lead_and_the_lowest_contact_number_is_it()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        await sandbox.RunAsync();
        var bc = sandbox.Host.BusinessCentral;
        var persons = sandbox.SolePersons().OrderBy(p => p.Number, StringComparer.Ordinal).ToList();
        var (low, high) = (persons[0], persons[^1]);

        // A newer contact takes the lower one's address while it keeps it: the lower number stays the lead, and says so.
        bc.ModifyContactInUi(high.Id, c => c.Email = low.Email);
        var first = await sandbox.RunAsync();
        var refused = Assert.Single(first, r => r.SourceNumber == high.Number);
        Assert.Equal(SyncAction.Skipped, refused.Action);
        Assert.StartsWith(SyncReasons.DuplicateEmail, refused.Reason, StringComparison.Ordinal);
        Assert.Contains(low.Number, refused.Reason, StringComparison.Ordinal);
        Assert.Contains("lowest contact number", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(low.Number, sandbox.Lead(low.Email).Fields["bcContactNumber"]);
        Assert.Equal("Skipped", Assert.Single(sandbox.Audited(high.Number), l => l.CorrelationId == refused.CorrelationId).Action);

        // The other way round: a lower number takes a higher one's address while that one keeps it, and becomes the lead.
        var (lower, higher) = (persons[1], persons[^2]);
        bc.ModifyContactInUi(lower.Id, c => c.Email = higher.Email);
        var second = await sandbox.RunAsync();
        Assert.Equal(SyncAction.Updated, Assert.Single(second, r => r.SourceNumber == lower.Number).Action);
        Assert.Equal(lower.Number, sandbox.Lead(higher.Email).Fields["bcContactNumber"]);

        // Both losers changed again: each stays out, whoever was read first; the winners' leads keep their values.
        bc.ModifyContactInUi(high.Id, c => c.JobTitle = "Changed");
        bc.ModifyContactInUi(higher.Id, c => c.JobTitle = "Changed");
        var third = await sandbox.RunAsync();
        Assert.All(third.Where(r => r.SourceNumber == high.Number || r.SourceNumber == higher.Number), r => Assert.Equal(SyncAction.Skipped, r.Action));
        Assert.Equal(2, third.Count(r => r.SourceNumber == high.Number || r.SourceNumber == higher.Number));
        Assert.Equal((low.Number, lower.Number), (sandbox.Lead(low.Email).Fields["bcContactNumber"], sandbox.Lead(higher.Email).Fields["bcContactNumber"]));
    }
}
