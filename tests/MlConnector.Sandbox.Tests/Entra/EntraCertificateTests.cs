using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Identity.Client;
using MlConnector.Sandbox.Entra;

namespace MlConnector.Sandbox.Tests.Entra;

/// <summary>
/// Certificate credentials (private_key_jwt) at the Entra token endpoint: a client assertion signed by a certificate
/// registered on the app signs in, through hand-made JWTs and through MSAL's WithCertificate; every way of getting it
/// wrong is refused with the AADSTS code Entra uses.
/// </summary>
public sealed class EntraCertificateTests : IAsyncLifetime
{
    private SandboxHost _host = null!;
    private HttpClient _http = null!;
    private X509Certificate2 _registered = null!;

    public async Task InitializeAsync()
    {
        (_host, _http) = await SandboxFixture.StartAsync(new SandboxOptions { Customers = 1 });
        _registered = NewCertificate("CN=MlConnector sandbox app");
        _host.Entra.Options.ClientCertificates.Add(X509CertificateLoader.LoadCertificate(_registered.Export(X509ContentType.Cert)));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private string ClientId => _host.Entra.Options.ClientId;

    private Uri TokenUri => new(_host.HttpsBaseUri, $"{_host.Entra.Options.TenantId}/oauth2/v2.0/token");

    internal static X509Certificate2 NewCertificate(string subject, DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var from = DateTimeOffset.UtcNow.AddDays(-2);
        return request.CreateSelfSigned(from, notAfter ?? DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A client assertion as the Entra docs describe it, with one thing changed by <paramref name="change"/>.</summary>
    private string Assertion(X509Certificate2 signer, Action<Dictionary<string, object>>? change = null, Action<Dictionary<string, object>>? header = null, string alg = "RS256")
    {
        var now = _host.Clock.GetUtcNow().ToUnixTimeSeconds();
        var head = new Dictionary<string, object> { ["alg"] = alg, ["typ"] = "JWT", ["x5t"] = Base64Url.EncodeToString(signer.GetCertHash()) };
        header?.Invoke(head);
        var claims = new Dictionary<string, object>
        {
            ["aud"] = TokenUri.AbsoluteUri, ["iss"] = ClientId, ["sub"] = ClientId, ["jti"] = Guid.NewGuid().ToString(),
            ["nbf"] = now, ["iat"] = now, ["exp"] = now + 600,
        };
        change?.Invoke(claims);
        var input = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(head)) + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        using var key = signer.GetRSAPrivateKey()!;
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, alg == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string assertion)
    {
        using var response = await _http.PostAsync(TokenUri, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = ClientId, ["scope"] = EntraSimulator.BusinessCentralScope,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", ["client_assertion"] = assertion,
        }));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task A_client_assertion_signed_by_the_registered_certificate_gets_a_token_with_RS256_or_PS256_and_either_thumbprint()
    {
        var (status, body) = await PostAsync(Assertion(_registered));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());

        var sha256 = Assertion(_registered, header: h => { h.Remove("x5t"); h["x5t#S256"] = Base64Url.EncodeToString(SHA256.HashData(_registered.RawData)); }, alg: "PS256");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(sha256)).Status);
    }

    [Theory]
    [InlineData("unregistered", 700027, "is not registered on application")]
    [InlineData("tampered", 700027, "Key was found, but use of the key to verify the signature failed")]
    [InlineData("audience", 700023, "audience claim does not match")]
    [InlineData("expired", 700024, "not within its valid time range")]
    [InlineData("future", 700024, "not within its valid time range")]
    [InlineData("other-app", 700021, "doesn't match 'client_id'")]
    [InlineData("sub-not-iss", 50048, "Subject mismatches Issuer")]
    [InlineData("no-thumbprint", 50027, "No certificate thumbprint")]
    [InlineData("no-jti", 50027, "jti")]
    public async Task A_wrong_assertion_is_refused_with_Entras_code(string wrong, int code, string says)
    {
        var assertion = wrong switch
        {
            "unregistered" => Assertion(NewCertificate("CN=Someone else")),
            "tampered" => Tamper(Assertion(_registered)),
            "audience" => Assertion(_registered, c => c["aud"] = "https://login.microsoftonline.com/other/oauth2/v2.0/token"),
            "expired" => Assertion(_registered, c => { c["nbf"] = (long)c["nbf"] - 3600; c["exp"] = (long)c["exp"] - 3600; }),
            "future" => Assertion(_registered, c => { c["nbf"] = (long)c["nbf"] + 3600; c["exp"] = (long)c["exp"] + 3600; }),
            "other-app" => Assertion(_registered, c => { c["iss"] = c["sub"] = Guid.NewGuid().ToString(); }),
            "sub-not-iss" => Assertion(_registered, c => c["sub"] = Guid.NewGuid().ToString()),
            "no-thumbprint" => Assertion(_registered, header: h => h.Remove("x5t")),
            _ => Assertion(_registered, c => c.Remove("jti")),
        };
        var (status, body) = await PostAsync(assertion);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.Equal(code, body.GetProperty("error_codes")[0].GetInt32());
        Assert.Contains($"AADSTS{code}: ", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Contains(says, body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registered_certificate_past_its_end_date_is_refused()
    {
        var old = NewCertificate("CN=Expired app certificate", DateTimeOffset.UtcNow.AddDays(-1));
        _host.Entra.Options.ClientCertificates.Add(X509CertificateLoader.LoadCertificate(old.Export(X509ContentType.Cert)));
        var (status, body) = await PostAsync(Assertion(old));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("The key used is expired", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MSAL_WithCertificate_signs_in_with_the_registered_certificate_and_is_refused_with_another()
    {
        var token = await Msal(_registered).AcquireTokenForClient([EntraSimulator.BusinessCentralScope]).ExecuteAsync();
        Assert.NotNull(_host.Entra.Tokens.Read(token.AccessToken));

        var wrong = await Assert.ThrowsAsync<MsalServiceException>(() =>
            Msal(NewCertificate("CN=Not registered")).AcquireTokenForClient([EntraSimulator.BusinessCentralScope]).ExecuteAsync());
        Assert.Contains("AADSTS700027", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificates_are_uploaded_and_cleared_through_the_admin_API()
    {
        var other = NewCertificate("CN=Uploaded");
        using var upload = await _http.PostAsJsonAsync("admin/entra/certificates", new { certificate = Convert.ToBase64String(other.Export(X509ContentType.Cert)) });
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        Assert.Contains(other.Thumbprint, (await upload.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Assertion(other))).Status);

        using var clear = await _http.DeleteAsync("admin/entra/certificates");
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(Assertion(other))).Status);
    }

    private IConfidentialClientApplication Msal(X509Certificate2 certificate) =>
        ConfidentialClientApplicationBuilder.Create(ClientId)
            .WithCertificate(certificate)
            .WithAuthority(new Uri(_host.HttpsBaseUri, _host.Entra.Options.TenantId).ToString(), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new EntraTokenTests.PinnedFactory(_http))
            .Build();

    private static string Tamper(string jwt)
    {
        var parts = jwt.Split('.');
        var claims = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64Url.DecodeFromChars(parts[1]))!;
        claims["jti"] = JsonSerializer.SerializeToElement(Guid.NewGuid().ToString());
        return parts[0] + "." + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims)) + "." + parts[2];
    }
}
