using System.Text.Json.Nodes;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>The validator itself: it must reject what the swagger rejects and allow only the documented deviations.</summary>
public sealed class SwaggerSchemasTests
{
    [Theory]
    [InlineData("GET", "/rest/v1/leads.json", "ResponseOfLead")]
    [InlineData("POST", "/rest/v1/leads.json", "ResponseOfLead")]
    [InlineData("GET", "/rest/v1/lead/123.json", "ResponseOfLead")]
    [InlineData("GET", "/rest/v1/leads/describe2.json", "ResponseOfLeadAttribute2")]
    [InlineData("POST", "/rest/v1/companies.json", "ResponseOfCompany")]
    [InlineData("GET", "/rest/v1/activities/leadchanges.json", "ResponseOfLeadChange")]
    [InlineData("GET", "/rest/v1/activities/pagingtoken.json", "ResponseOfVoid")]
    [InlineData("GET", "/rest/v1/activities/deletedleads.json", "ResponseOfActivity")]
    [InlineData("POST", "/bulk/v1/leads.json", "ResponseOfImportLeadResponse")]
    [InlineData("GET", "/bulk/v1/leads/batch/3401.json", "ResponseOfImportLeadResponse")]
    [InlineData("POST", "/bulk/v1/leads/export/create.json", "ResponseOfExportResponse")]
    [InlineData("POST", "/bulk/v1/leads/export/ab-cd/enqueue.json", "ResponseOfExportResponse")]
    [InlineData("GET", "/bulk/v1/leads/export/ab-cd/status.json", "ResponseOfExportResponse")]
    [InlineData("POST", "/bulk/v1/leads/export/ab-cd/cancel.json", "ResponseOfExportResponse")]
    [InlineData("GET", "/bulk/v1/leads/export.json", "ResponseOfExportResponseWithToken")]
    public void Paths_map_to_their_swagger_response(string method, string path, string definition)
        => Assert.Equal(definition, SwaggerSchemas.DefinitionFor(method, path));

    [Theory]
    [InlineData("ResponseOfLead", """{"requestId":"a#b","success":"yes"}""")]
    [InlineData("ResponseOfLead", """{"requestId":"a#b","success":false,"errors":[{"code":606,"message":"x"}]}""")]
    [InlineData("ResponseOfLead", """{"requestId":"a#b","success":true,"result":[{"id":"12"}]}""")]
    [InlineData("ResponseOfLead", """{"success":true}""")]
    [InlineData("ResponseOfCompany", """{"requestId":"a#b","success":true,"result":[{"id":1,"status":"created"}]}""")]
    [InlineData("ResponseOfLeadChange", """{"requestId":"a#b","success":true,"result":[{"id":1,"leadId":2,"activityDate":"2024-01-01T00:00:00Z","activityTypeId":13}]}""")]
    [InlineData("ResponseOfIdentity", """{"access_token":"x","token_type":"mac","expires_in":1,"scope":"s"}""")]
    [InlineData("OAuthError", """{"error":"unauthorized"}""")]
    public void Invalid_bodies_are_rejected(string definition, string json)
        => Assert.NotEmpty(SwaggerSchemas.Validate(definition, JsonNode.Parse(json)));

    [Theory]
    [InlineData("ResponseOfLead", """{"requestId":"a#b","success":true,"invented":1}""")]
    [InlineData("ResponseOfLeadChange", """{"requestId":"a#b","success":true,"result":[{"id":1,"leadId":2,"activityDate":"2024-01-01T00:00:00Z","activityTypeId":13,"attributes":[],"source":"x"}]}""")]
    [InlineData("ResponseOfLeadChange", """{"requestId":"a#b","success":true,"result":[{"id":1,"leadId":2,"activityDate":"2024-01-01T00:00:00Z","activityTypeId":13,"attributes":[{"name":"Source","value":"x","type":"y"}]}]}""")]
    [InlineData("ResponseOfLeadChange", """{"requestId":"a#b","success":true,"result":[{"id":1,"leadId":2,"activityDate":"2024-01-01 00:00:00","activityTypeId":13,"attributes":[]}]}""")]
    [InlineData("ResponseOfLeadChange", """{"requestId":"a#b","success":true,"result":[{"id":1.5,"leadId":2,"activityDate":"2024-01-01T00:00:00Z","activityTypeId":13,"attributes":[]}]}""")]
    [InlineData("ResponseOfLead", """{"requestId":"a#b","success":true,"result":[{"id":3000000000}]}""")]
    [InlineData("ResponseOfLead", """{"requestId":"a#b","success":false,"errors":[{"code":"601","message":"x","detail":"y"}]}""")]
    [InlineData("ResponseOfImportLeadResponse", """{"requestId":"a#b","success":true,"result":[{"batchId":1,"numOfLeadsProcessed":0,"status":"Queued","queuePosition":3}]}""")]
    [InlineData("ResponseOfExportResponse", """{"requestId":"a#b","success":true,"result":[{"exportId":"x","status":"Created","createdAt":"yesterday"}]}""")]
    public void Invented_members_bad_dates_and_non_integer_ids_are_refused(string definition, string json)
        => Assert.NotEmpty(SwaggerSchemas.Validate(definition, JsonNode.Parse(json)));

    [Fact]
    public void Lead_records_may_carry_only_fields_describe_lists_with_their_exact_casing()
    {
        var fields = new[] { "email", "firstName" };
        MarketoApi.AssertRecordMembers("ResponseOfLead", JsonNode.Parse("""{"result":[{"id":1,"email":"a@b.c","firstName":"A"}]}""")!.AsObject(), fields, "GET /rest/v1/leads.json");
        Assert.ThrowsAny<Exception>(() => MarketoApi.AssertRecordMembers("ResponseOfLead", JsonNode.Parse("""{"result":[{"id":1,"FirstName":"A"}]}""")!.AsObject(), fields, "GET /rest/v1/leads.json"));
    }

    [Theory]
    [InlineData("ResponseOfLead", """{"requestId":"a#b","success":true}""")]
    [InlineData("ResponseOfLead", """{"requestId":"a#b","success":true,"warnings":["No assets found"],"result":[{"status":"skipped","reasons":[{"code":"1005","message":"Lead already exists"}]}]}""")]
    [InlineData("ResponseOfCompany", """{"requestId":"a#b","success":true,"result":[{"seq":1,"status":"skipped","reasons":[{"code":"1013","message":"Record not found"}]}]}""")]
    [InlineData("ResponseOfActivity", """{"requestId":"a#b","success":true,"result":[{"id":1,"leadId":2,"activityDate":"2024-01-01T00:00:00Z","activityTypeId":13,"attributes":[{"name":"Source","value":"Web service API"}]}]}""")]
    public void Documented_live_deviations_are_allowed(string definition, string json)
        => Assert.Empty(SwaggerSchemas.Validate(definition, JsonNode.Parse(json)));
}
