using MlConnector.Engine.Mapping;

namespace MlConnector.Engine.Tests.Mapping;

/// <summary>Marketo REST field names are case-sensitive, so validation against describe is too.</summary>
public sealed class MappingFieldCaseTests
{
    private static (TargetField[] Leads, TargetField[] Companies) Described(MappingSet mapping, params string[] leadNames)
    {
        var defaults = MappingLoader.Default();
        // Marketo's standard "unsubscribed" is described too: the default whenPrivacyBlocked (Unsubscribe) writes it.
        var leads = defaults.Lead.Fields.Concat(defaults.LeadAccountFields).Select(f => f.Target).Append(BcToMarketoMapper.UnsubscribedField).Concat(leadNames)
            .Distinct(StringComparer.Ordinal).Select(n => new TargetField(n, true)).ToArray();
        var companies = mapping.Company.Fields.Select(f => new TargetField(f.Target, true)).ToArray();
        return (leads, companies);
    }

    [Theory]
    [InlineData("FirstName", "firstName")]
    [InlineData("EMAILADDRESS", "emailAddress")]
    [InlineData("bccustomernumber", "bcCustomerNumber")]
    public void A_wrongly_cased_target_fails_validation_and_names_the_right_casing(string written, string described)
    {
        var mapping = MappingLoader.FromUserJson($$"""{ "lead": { "fields": { "{{written}}": "JobTitle" } } }""");
        var (leads, companies) = Described(mapping, described);
        var error = Assert.Throws<MappingException>(() => MappingValidator.Validate(mapping, leads, companies));
        Assert.Equal("MappingTargetFieldUnknown", error.ErrorId);
        Assert.Equal(written, error.Field);
        Assert.Contains($"'{written}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{described}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("case-sensitive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_correctly_cased_target_validates()
    {
        var mapping = MappingLoader.FromUserJson("""{ "lead": { "fields": { "emailAddress": "JobTitle" } } }""");
        var (leads, companies) = Described(mapping, "emailAddress");
        MappingValidator.Validate(mapping, leads, companies);
    }
}
