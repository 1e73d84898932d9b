using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// What one Get Lead Changes item carries (shared/api/marketo.md §6): its id and marketoGUID, the changed field's id,
/// name, new and old value, and the attributes that tell an API write (and whose) from an edit in Marketo.
/// </summary>
public sealed class MarketoLeadChangeItemTests
{
    [Fact]
    public async Task A_change_data_value_item_names_the_field_its_old_and_new_value_and_the_api_user_who_wrote_it()
    {
        await using var test = await MarketoTestHost.StartAsync();
        var since = test.Sandbox.Clock.GetUtcNow().AddMinutes(-1);
        await test.Client.SyncLeadsAsync([new Dictionary<string, object?> { ["email"] = "ann@example.test", ["firstName"] = "Ann" }], MarketoSyncAction.CreateOrUpdate, "email", CancellationToken.None);
        await test.Client.SyncLeadsAsync([new Dictionary<string, object?> { ["email"] = "ann@example.test", ["firstName"] = "Anna" }], MarketoSyncAction.UpdateOnly, "email", CancellationToken.None);

        var token = await test.Client.GetPagingTokenAsync(since, CancellationToken.None);
        var changes = new List<MarketoLeadChange>();
        await foreach (var page in test.Client.GetLeadChangesAsync(token, ["firstName"], CancellationToken.None)) changes.AddRange(page.Changes);

        Assert.Equal(new[] { MarketoLeadChange.NewLeadTypeId, MarketoLeadChange.ChangeDataValueTypeId }, changes.Select(c => c.ActivityTypeId));
        Assert.All(changes, c => Assert.NotNull(c.Id));
        Assert.All(changes, c => Assert.False(string.IsNullOrEmpty(c.MarketoGuid)));
        Assert.Equal(2, changes.Select(c => c.Id).Distinct().Count());
        Assert.Equal(2, changes.Select(c => c.MarketoGuid).Distinct().Count());

        var field = Assert.Single(changes[1].Fields);
        Assert.Equal((test.Sandbox.Marketo.LeadSchema.Find("firstName")!.Id, "firstName", "Anna", "Ann"), (field.Id, field.Name, field.NewValue, field.OldValue));
        var apiUser = test.Sandbox.Marketo.Options.ApiUser;
        Assert.All(changes, c => Assert.True(c.IsApiWriteBy(apiUser), "the sandbox's API user wrote both"));
        Assert.Equal("Web service API", changes[1].Attribute("Reason"));
    }
}
