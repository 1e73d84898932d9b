using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>Sync Leads matches on the lookupField the caller names (shared/api/marketo.md §5.1), not on Marketo's default, email.</summary>
public sealed class MarketoLeadLookupFieldTests
{
    [Fact]
    public async Task An_update_by_a_custom_key_finds_the_lead_even_when_its_email_changed()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var first = await test.Client.SyncLeadsAsync(new[] { Lead("old.address@example.test", "C-1001") }, MarketoSyncAction.CreateOnly, "email", CancellationToken.None);

        var second = await test.Client.SyncLeadsAsync(new[] { Lead("new.address@example.test", "C-1001") }, MarketoSyncAction.UpdateOnly, "bcCustomerNumber", CancellationToken.None);

        var result = Assert.Single(second);
        Assert.Equal(MarketoRecordStatus.Updated, result.Status);
        Assert.Equal(first[0].Id, result.Id);
        Assert.Equal("new.address@example.test", Assert.Single(test.Sandbox.Marketo.Leads()).Fields["email"]);
    }

    private static IReadOnlyDictionary<string, object?> Lead(string email, string customerNumber)
        => new Dictionary<string, object?> { ["email"] = email, ["bcCustomerNumber"] = customerNumber, ["lastName"] = "Lookup" };
}
