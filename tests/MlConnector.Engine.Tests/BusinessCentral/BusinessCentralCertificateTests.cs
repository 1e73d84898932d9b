using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MlConnector.Engine.BusinessCentral;

namespace MlConnector.Engine.Tests.BusinessCentral;

/// <summary>
/// Certificate sign-in end to end: MSAL's WithCertificate signs a client assertion, the sandbox's Entra checks it
/// against the certificate registered on the app, and BC accepts the token. A wrong certificate fails clearly.
/// </summary>
public sealed class BusinessCentralCertificateTests : IAsyncLifetime
{
    private BcSandbox _sandbox = null!;
    private X509Certificate2 _registered = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await BcSandbox.StartAsync(customers: 3);
        _registered = NewCertificate("CN=MlConnector app");
        _sandbox.Host.Options.Entra.ClientCertificates.Add(X509CertificateLoader.LoadCertificate(_registered.Export(X509ContentType.Cert)));
    }

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    internal static X509Certificate2 NewCertificate(string subject, DateTimeOffset? notAfter = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), notAfter ?? DateTimeOffset.UtcNow.AddYears(1));
    }

    private Task<BusinessCentralClient> ConnectAsync(X509Certificate2 certificate) =>
        BusinessCentralClient.ConnectAsync(_sandbox.Settings(), BusinessCentralCredential.FromCertificate(certificate), _sandbox.Log, _sandbox.Host.Clock);

    [Fact]
    public async Task The_registered_certificate_signs_in_through_MSAL_and_reads_customers()
    {
        using var client = await ConnectAsync(_registered);
        var customers = await BcSandbox.ToListAsync(client.GetCustomersAsync(new BcCustomerQuery(), default));
        Assert.Equal(3, customers.Count);
        Assert.Equal(1, _sandbox.TokenRequests());
        Assert.Equal("certificate " + _registered.Thumbprint, BusinessCentralCredential.FromCertificate(_registered).ToString());
    }

    [Fact]
    public async Task A_certificate_the_app_does_not_have_fails_with_AADSTS700027_and_what_to_do()
    {
        var wrong = NewCertificate("CN=Somebody else");
        var e = await Assert.ThrowsAsync<BusinessCentralAuthenticationException>(() => ConnectAsync(wrong));
        Assert.Equal("AADSTS700027", e.BcErrorCode);
        Assert.Contains("AADSTS700027", e.Message, StringComparison.Ordinal);
        Assert.Contains(wrong.Thumbprint, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Certificates & secrets", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_sandbox.Log.Lines, l => l.Contains("eyJ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_certificate_without_its_private_key_or_past_its_end_is_refused_before_any_sign_in()
    {
        var publicOnly = X509CertificateLoader.LoadCertificate(_registered.Export(X509ContentType.Cert));
        var noKey = Assert.Throws<BusinessCentralException>(() => BusinessCentralCredential.FromCertificate(publicOnly));
        Assert.Equal("BusinessCentralCertificateUnusable", noKey.ErrorId);
        Assert.Contains("private key", noKey.Message, StringComparison.Ordinal);

        var expired = Assert.Throws<BusinessCentralException>(() => BusinessCentralCredential.FromCertificate(NewCertificate("CN=Old", DateTimeOffset.UtcNow.AddDays(-1))));
        Assert.Contains("expired", expired.Message, StringComparison.Ordinal);
        await Task.Yield();
        Assert.Equal(0, _sandbox.TokenRequests());
    }

    [Theory]
    [InlineData("not a thumbprint")]
    [InlineData("ABCD")]
    public void A_thumbprint_that_is_not_40_hex_digits_is_refused(string thumbprint)
    {
        var e = Assert.Throws<BusinessCentralConfigurationException>(() => BusinessCentralCredential.FromCurrentUserStore(thumbprint));
        Assert.Contains("40 hexadecimal digits", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thumbprints_are_accepted_with_spaces_colons_and_lower_case()
    {
        var spaced = string.Join(':', Enumerable.Range(0, 20).Select(i => _registered.Thumbprint.Substring(i * 2, 2).ToLowerInvariant()));
        Assert.Equal(_registered.Thumbprint, BusinessCentralCredential.NormalizeThumbprint(spaced));
    }
}
