using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Describe answers in the shapes of shared/api/marketo.md §5.3, with the members a field may lack: a missing label is
/// the name, a missing type is string, a missing updateable means writable, a missing crmManaged means not managed.
/// Members of another type than documented are treated as missing, never thrown on.
/// </summary>
public sealed class MarketoDescribeShapeTests
{
    private static IReadOnlyList<MarketoField> Describe2(string json) => MarketoDescribe.FromObjectDescribe(MarketoEnvelope.TryParse(json)!);

    private static IReadOnlyList<MarketoField> Describe(string json) => MarketoDescribe.FromLeadDescribe(MarketoEnvelope.TryParse(json)!);

    [Fact]
    public void Describe2_reads_every_member_of_a_field_and_the_searchable_groups()
    {
        var fields = Describe2("""
            {"success":true,"result":[{"name":"API Lead","searchableFields":[["email"],["bcCustomerNumber","bcContactNumber"]],"fields":[
              {"name":"email","displayName":"Email Address","dataType":"email","length":255,"updateable":true,"crmManaged":false},
              {"name":"leadScore","displayName":"Lead Score","dataType":"score","updateable":false,"crmManaged":true},
              {"name":"bcContactNumber","displayName":"BC Contact Number","dataType":"string","length":20,"updateable":true,"crmManaged":false}]}]}
            """);

        Assert.Equal(new[]
        {
            new MarketoField("email", "Email Address", "email", 255, ReadOnly: false, Searchable: true, CrmManaged: false),
            new MarketoField("leadScore", "Lead Score", "score", null, ReadOnly: true, Searchable: false, CrmManaged: true),
            new MarketoField("bcContactNumber", "BC Contact Number", "string", 20, ReadOnly: false, Searchable: true, CrmManaged: false),
        }, fields);
    }

    [Fact]
    public void A_describe2_field_without_label_type_or_flags_is_a_writable_string_named_by_itself()
    {
        var fields = Describe2("""{"success":true,"result":[{"name":"API Lead","fields":[{"name":"mlNote"},{"displayName":"No name"}]}]}""");

        Assert.Equal(new[] { new MarketoField("mlNote", "mlNote", "string", null, ReadOnly: false, Searchable: false, CrmManaged: false) }, fields);
    }

    [Fact]
    public void Company_describe_may_list_searchable_fields_as_plain_names()
    {
        var fields = Describe2("""{"success":true,"result":[{"name":"Company","searchableFields":["externalCompanyId",["company"]],"fields":[{"name":"externalCompanyId"},{"name":"company"},{"name":"industry"}]}]}""");

        Assert.Equal(new[] { true, true, false }, fields.Select(f => f.Searchable));
    }

    [Fact]
    public void Members_of_another_type_than_documented_are_treated_as_missing()
    {
        var fields = Describe2("""{"success":true,"result":[{"name":"API Lead","searchableFields":null,"fields":[{"name":"mlNote","updateable":null,"crmManaged":"true"}]}]}""");

        Assert.Equal(new[] { new MarketoField("mlNote", "mlNote", "string", null, ReadOnly: false, Searchable: false, CrmManaged: false) }, fields);
        Assert.Empty(Describe2("""{"success":true,"result":[{"name":"API Lead","fields":null}]}"""));
    }

    [Fact]
    public void The_older_describe_reads_the_rest_name_and_read_only_flag_and_skips_items_without_a_rest_name()
    {
        var fields = Describe("""
            {"success":true,"result":[
              {"id":2,"displayName":"Company Name","dataType":"string","length":255,"rest":{"name":"company","readOnly":false},"soap":{"name":"Company","readOnly":false}},
              {"id":31,"displayName":"Lead Score","dataType":"score","rest":{"name":"leadScore","readOnly":true}},
              {"id":48,"displayName":"SOAP only","dataType":"string","soap":{"name":"SoapOnly","readOnly":false}},
              {"id":49,"displayName":"Nameless","dataType":"string","rest":{"readOnly":false}},
              {"id":50,"rest":{"name":"mlNote"}}]}
            """);

        Assert.Equal(new[]
        {
            new MarketoField("company", "Company Name", "string", 255, ReadOnly: false, Searchable: false),
            new MarketoField("leadScore", "Lead Score", "score", null, ReadOnly: true, Searchable: false),
            new MarketoField("mlNote", "mlNote", "string", null, ReadOnly: false, Searchable: false),
        }, fields);
    }
}
