using MlConnector.Engine.Marketo;
using MlConnector.Sandbox.Core;
using MlConnector.Sandbox.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>Lead fields come from describe2; where an instance has no describe2 (610, 404, 605) the older describe answers instead.</summary>
public sealed class MarketoLeadDescribeTests
{
    private static readonly CustomFieldDefinition Tier = new("mlTier", "integer", 8, ReadOnly: true, Searchable: true, DisplayName: "ML Tier");
    private static readonly CustomFieldDefinition Region = new("mlRegion", "string", 40, DisplayName: "ML Region");

    private static Task<MarketoTestHost> StartAsync()
        => MarketoTestHost.StartAsync(o => { o.Marketo.CustomFields.Add(Tier); o.Marketo.CustomFields.Add(Region); });

    [Fact]
    public async Task Describe2_gives_each_fields_name_label_type_length_write_access_and_searchability()
    {
        await using var test = await StartAsync();

        var fields = await test.Client.DescribeLeadsAsync(CancellationToken.None);

        Assert.Equal(new MarketoField("mlTier", "ML Tier", "integer", 8, ReadOnly: true, Searchable: true), fields.Single(f => f.Name == "mlTier"));
        Assert.Equal(new MarketoField("mlRegion", "ML Region", "string", 40, ReadOnly: false, Searchable: false), fields.Single(f => f.Name == "mlRegion"));
        Assert.Equal("/rest/v1/leads/describe2.json", Assert.Single(test.Rest).Path);
    }

    [Theory]
    [InlineData("610", null)]
    [InlineData("605", null)]
    [InlineData(null, 404)]
    public async Task Without_describe2_the_older_describe_is_read_and_the_log_says_so(string? code, int? status)
    {
        await using var test = await StartAsync();
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "describe2", ErrorCode = code, HttpStatus = status });

        var fields = await test.Client.DescribeLeadsAsync(CancellationToken.None);

        // The older describe does not say which fields are searchable.
        Assert.Equal(new MarketoField("mlTier", "ML Tier", "integer", 8, ReadOnly: true, Searchable: false), fields.Single(f => f.Name == "mlTier"));
        Assert.Equal(new MarketoField("mlRegion", "ML Region", "string", 40, ReadOnly: false, Searchable: false), fields.Single(f => f.Name == "mlRegion"));
        Assert.Contains(fields, f => f.Name == "email");
        Assert.Equal(new[] { "/rest/v1/leads/describe2.json", "/rest/v1/leads/describe.json" }, test.Rest.Select(e => e.Path));
        Assert.Contains("VERBOSE: Marketo: describe2 not available, using describe.", test.Log.Lines);
    }

    [Fact]
    public async Task Any_other_describe2_error_is_reported_and_describe_is_not_tried()
    {
        await using var test = await StartAsync();
        test.Sandbox.Faults.Add(new FaultRule { Service = SandboxService.Marketo, PathContains = "describe2", ErrorCode = "603" });

        var error = await Assert.ThrowsAsync<MarketoApiException>(() => test.Client.DescribeLeadsAsync(CancellationToken.None));

        Assert.Equal("603", error.Code);
        Assert.Equal("/rest/v1/leads/describe2.json", Assert.Single(test.Rest).Path);
    }
}
