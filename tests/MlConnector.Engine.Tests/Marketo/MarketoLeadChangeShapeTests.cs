using System.Text.Json;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Lead change items in shapes the documentation does not promise (shared/api/marketo.md §3, §13: tolerate missing
/// members): fields and attributes that are not lists are ignored, a field change without a name reads as "",
/// never thrown on.
/// </summary>
public sealed class MarketoLeadChangeShapeTests
{
    private static MarketoLeadChange From(string json)
    {
        using var document = JsonDocument.Parse(json);
        return MarketoLeadChanges.From(document.RootElement);
    }

    [Fact]
    public void Fields_and_attributes_that_are_not_lists_are_ignored()
    {
        var change = From("""{"id":1078,"leadId":775,"activityTypeId":13,"fields":{"name":"firstName"},"attributes":"Web service API"}""");

        Assert.Equal((1078L, 775L, 13), (change.Id, change.LeadId, change.ActivityTypeId));
        Assert.Empty(change.Fields);
        Assert.Empty(change.Attributes);
    }

    [Fact]
    public void Missing_members_read_as_empty_or_null()
    {
        var change = From("""{"leadId":775,"activityTypeId":13,"fields":[{"id":48,"newValue":"Ann"}],"attributes":[{"value":"nameless"},{"name":"Reason"}]}""");

        Assert.Null(change.Id);
        Assert.Null(change.MarketoGuid);
        Assert.Equal(new MarketoFieldChange(48, "", "Ann", null), Assert.Single(change.Fields));
        Assert.Equal(new Dictionary<string, string?> { ["Reason"] = null }, change.Attributes);
    }
}
