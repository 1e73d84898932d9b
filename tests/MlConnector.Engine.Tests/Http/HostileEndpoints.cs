using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Marketo;
using MlConnector.Engine.Tests.BusinessCentral;

namespace MlConnector.Engine.Tests.Http;

/// <summary>Settings that point a client at a <see cref="LoopbackServer"/>, with fast retries and one Marketo munchkin.</summary>
internal static class HostileEndpoints
{
    public const string Secret = "hostile-test-client-secret-0123456789";
    public const string MarketoToken = "mkto-token-for-hostile-tests";

    public static MarketoSettings Marketo(Uri baseUri, int maxAttempts = 3) => new()
    {
        MunchkinId = "123-ABC-456",
        ClientId = "hostile-client",
        BaseUri = baseUri,
        Retry = new MarketoRetryOptions
        {
            MaxAttempts = maxAttempts,
            BaseDelay = TimeSpan.FromMilliseconds(5),
            MaxDelay = TimeSpan.FromMilliseconds(20),
            ConcurrencyBackoff = TimeSpan.FromMilliseconds(5),
            AttemptTimeout = TimeSpan.FromSeconds(60),
            MaxTotalTime = TimeSpan.FromSeconds(120),
        },
    };

    /// <summary>The identity answer a Marketo instance gives: one token good for an hour.</summary>
    public static LoopbackResponse MarketoIdentity()
        => LoopbackResponse.Json($$"""{"access_token":"{{MarketoToken}}","token_type":"bearer","expires_in":3599,"scope":"api@example.test"}""");

    public static bool IsIdentity(LoopbackRequest request) => request.Path.EndsWith("/identity/oauth/token", StringComparison.Ordinal);

    /// <summary>Business Central reached through <paramref name="baseUri"/>, Entra through the real sandbox of <paramref name="sandbox"/>.</summary>
    public static BusinessCentralSettings BusinessCentral(BcSandbox sandbox, Uri baseUri)
    {
        var settings = sandbox.Settings(pageSize: 5);
        settings.BaseUri = baseUri;
        settings.Retry.MaxAttempts = 3;
        return settings;
    }

    /// <summary>Entra reached through <paramref name="authority"/> (an https loopback server presenting the sandbox certificate).</summary>
    public static BusinessCentralSettings Entra(Uri authority) => new()
    {
        TenantId = "11111111-2222-3333-4444-555555555555",
        ClientId = "66666666-7777-8888-9999-000000000000",
        Environment = "Production",
        Company = "CRONUS",
        BaseUri = new Uri("http://127.0.0.1:9/"),
        AuthorityHost = authority,
        SandboxTlsThumbprint = LoopbackServer.CertificateThumbprint,
        Retry = new BcRetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20), TotalTimeout = TimeSpan.FromSeconds(60) },
    };
}
