using MlConnector.Engine.Diagnostics;

namespace MlConnector.Engine.Tests.Diagnostics;

/// <summary>What the redactor masks (every credential shape the module handles) and what it must leave readable.</summary>
public sealed class RedactorTests
{
    private const string MarketoToken = "cdf01657-110d-4155-99a7-f986b2ff13a0:int";
    private const string Jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaS5idXNpbmVzc2NlbnRyYWwuZHluYW1pY3MuY29tIn0.c2lnbmF0dXJl";

    [Theory]
    [InlineData("Marketo answered 601 for token " + MarketoToken + " on GET /rest/v1/leads.json", MarketoToken)]
    [InlineData("token=cdf01657-110d-4155-99a7-f986b2ff13a0:st, expires in 3599 s", "cdf01657-110d-4155-99a7-f986b2ff13a0:st")]
    [InlineData("token CDF01657-110D-4155-99A7-F986B2FF13A0:ab1.", "CDF01657-110D-4155-99A7-F986B2FF13A0:ab1")]
    [InlineData("GET /rest/v1/leads.json?x=cdf01657-110d-4155-99a7-f986b2ff13a0%3Aint", "cdf01657-110d-4155-99a7-f986b2ff13a0%3Aint")]
    [InlineData("Authorization: Bearer " + MarketoToken, MarketoToken)]
    [InlineData("Authorization: bearer abc.def-ghi_jkl~mno+pq/rs=", "abc.def-ghi_jkl~mno+pq/rs=")]
    [InlineData("assertion " + Jwt + " rejected", Jwt)]
    [InlineData("POST /identity/oauth/token?grant_type=client_credentials&client_id=abc&client_secret=S3cr%2Bt&x=1", "S3cr%2Bt")]
    [InlineData("grant_type=client_credentials&client_secret=hunter2&scope=https%3A%2F%2Fapi", "hunter2")]
    [InlineData("GET /rest/v1/leads.json?access_token=" + MarketoToken + "&batchSize=300", MarketoToken)]
    [InlineData("client_assertion=abc.def.ghi&client_assertion_type=jwt-bearer", "abc.def.ghi")]
    [InlineData("{\"access_token\":\"" + MarketoToken + "\",\"token_type\":\"bearer\",\"expires_in\":3599}", MarketoToken)]
    [InlineData("{\"client_secret\" : \"s3cr\\\"et-with-quote\"}", "et-with-quote")]
    [InlineData("{\"clientSecret\":\"hunter2\",\"clientId\":\"abc\"}", "hunter2")]
    [InlineData("{\"refresh_token\":\"rt-123\"}", "rt-123")]
    [InlineData("password=pa55word&user=me", "pa55word")]
    public void Masks_the_credential(string text, string secret)
    {
        var redacted = Redactor.Redact(text);

        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains(Redactor.Mask, redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bare_Marketo_token_becomes_the_mask_and_the_text_around_it_stays()
    {
        Assert.Equal("Marketo rejected *** (601).", Redactor.Redact($"Marketo rejected {MarketoToken} (601)."));
    }

    [Theory]
    [InlineData("Customer 5f0c3b9e-5d2f-4a47-9a39-0d6b1f7e2a11 changed; CorrelationId:  0a1b2c3d-4e5f-6789-abcd-ef0123456789.")]
    [InlineData("companies(5f0c3b9e-5d2f-4a47-9a39-0d6b1f7e2a11)/customers(0a1b2c3d-4e5f-6789-abcd-ef0123456789)")]
    [InlineData("record 5f0c3b9e-5d2f-4a47-9a39-0d6b1f7e2a11: failed with 1004")]
    [InlineData("urn:uuid:5f0c3b9e-5d2f-4a47-9a39-0d6b1f7e2a11")]
    [InlineData("requestId e42b#14272d07d78 at 2024-05-01T10:20:30Z; job 5f0c3b9e-5d2f-4a47-9a39-0d6b1f7e2a11:12")]
    [InlineData("id 5f0c3b9e-5d2f-4a47-9a39-0d6b1f7e2a11:longertagthaneight")]
    [InlineData("Sync-MlCustomerToMarketo: 12 created, 3 updated; email ann@example.com; the client id is abc")]
    public void Leaves_ordinary_text_and_guids_readable(string text)
    {
        Assert.Equal(text, Redactor.Redact(text));
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    public void Empty_input_gives_empty_text(string? text, string expected) => Assert.Equal(expected, Redactor.Redact(text));

    [Fact]
    public void Redacting_twice_changes_nothing_more()
    {
        var once = Redactor.Redact($"Bearer {MarketoToken} and {MarketoToken} and client_secret=x and {{\"access_token\":\"{Jwt}\"}}");
        Assert.Equal(once, Redactor.Redact(once));
        Assert.Equal($"Bearer *** and *** and client_secret=*** and {{\"access_token\":\"***\"}}", once);
    }
}
