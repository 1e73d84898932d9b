using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>A lead read from Marketo keeps its values as invariant text and says how it was read.</summary>
public sealed class MarketoLeadRecordTests
{
    [Fact]
    public void Flags_and_amounts_become_invariant_text()
    {
        var lead = MarketoLead.From(new Dictionary<string, object?> { ["id"] = 42L, ["unsubscribed"] = true, ["doNotCall"] = false, ["annualRevenue"] = 1250.50m }, MarketoLead.ByChangeFeed);

        Assert.Equal(42, lead.Id);
        Assert.Equal("true", lead["unsubscribed"]);
        Assert.Equal("false", lead["doNotCall"]);
        Assert.Equal("1250.5", lead["annualRevenue"]);
        Assert.Equal("ChangeFeed", lead.ReadBy);
    }

    [Fact]
    public void A_lead_read_by_bulk_extract_names_the_filter()
        => Assert.Equal("BulkExtract:updatedAt", MarketoLead.ByBulkExtract("updatedAt"));

    [Fact]
    public void A_missing_record_is_refused()
        => Assert.Equal("record", Assert.Throws<ArgumentNullException>(() => MarketoLead.From(null!, MarketoLead.ByInput)).ParamName);
}
