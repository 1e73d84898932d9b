using Microsoft.Identity.Client;
using MlConnector.Engine.Http;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// App-only tokens for Business Central from one MSAL confidential client (its cache is per instance).
/// MSAL judges expiry by the wall clock; this provider also judges it by the injected TimeProvider and forces
/// MSAL past its cache when that clock says the token is due, so a moved clock behaves like real time passing.
/// </summary>
internal sealed class BcTokenProvider : IDisposable
{
    public const string Scope = "https://api.businesscentral.dynamics.com/.default";
    private static readonly string[] Scopes = [Scope];

    private readonly IConfidentialClientApplication _app;
    private readonly MsalHttpClientFactory _httpFactory;
    private readonly TimeProvider _time;
    private readonly TimeSpan _margin;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _tenant;
    private readonly string _clientId;
    private readonly Uri _authority;
    private readonly string? _certificateThumbprint;
    private string? _token;
    private DateTimeOffset _expiresOn;
    private long _acquisitions;

    public BcTokenProvider(BusinessCentralSettings settings, BusinessCentralCredential credential, TimeProvider time)
    {
        _time = time;
        _margin = settings.TokenRenewalMargin;
        _tenant = settings.TenantId;
        _clientId = settings.ClientId;
        _certificateThumbprint = credential.CertificateThumbprint;
        _authority = new Uri(settings.AuthorityHost, Uri.EscapeDataString(settings.TenantId));
        // Microsoft's own sign-in hosts are validated by MSAL; the sandbox (pinned) and an opted-in host are not known to it.
        var known = TrustedHosts.IsEntraAuthority(settings.AuthorityHost);
        _httpFactory = new MsalHttpClientFactory(_authority, EndpointPolicy.IsLoopback(settings.AuthorityHost) ? settings.SandboxTlsThumbprint : null);
        var builder = credential.Apply(ConfidentialClientApplicationBuilder.Create(settings.ClientId))
            .WithHttpClientFactory(_httpFactory)
            .WithAuthority(_authority.ToString(), validateAuthority: known);
        if (!known) builder = builder.WithInstanceDiscovery(false);
        _app = builder.Build();
    }

    /// <summary>Token requests that reached Entra or MSAL's cache (diagnostics).</summary>
    public long Acquisitions => Interlocked.Read(ref _acquisitions);

    /// <summary>Expiry on the injected clock of the current token.</summary>
    public DateTimeOffset ExpiresOn => _expiresOn;

    /// <summary>The tenant GUID the token was issued by (its tid claim), once a token is held; null if it does not say.</summary>
    public string? TokenTenantId { get; private set; }

    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var token = _token;
        if (token is not null && _time.GetUtcNow() < _expiresOn - _margin) return token;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is not null && _time.GetUtcNow() < _expiresOn - _margin) return _token;
            return await AcquireAsync(force: _token is not null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>After BC said 401 to <paramref name="rejected"/>: renew once, unless another caller already did.</summary>
    public async Task<string> RenewAfterRejectionAsync(string rejected, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is not null && !string.Equals(_token, rejected, StringComparison.Ordinal)) return _token;
            return await AcquireAsync(force: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> AcquireAsync(bool force, CancellationToken cancellationToken)
    {
        AuthenticationResult result;
        try
        {
            Interlocked.Increment(ref _acquisitions);
            result = await _app.AcquireTokenForClient(Scopes).WithForceRefresh(force).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MsalException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw EntraErrorTranslator.Translate(e, _tenant, _clientId, _authority, _certificateThumbprint);
        }
        // MSAL's ExpiresOn is wall-clock; keep the remaining lifetime and pin it to the injected clock.
        var remaining = result.ExpiresOn - DateTimeOffset.UtcNow;
        _expiresOn = _time.GetUtcNow() + remaining;
        _token = result.AccessToken;
        TokenTenantId ??= TenantClaim(result.AccessToken);
        return _token;
    }

    /// <summary>The tid claim of an Entra access token (a JWT); only read, never trusted for anything but naming the tenant.</summary>
    internal static string? TenantClaim(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            var base64 = parts[1].Replace('-', '+').Replace('_', '/');
            using var payload = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=')));
            return payload.RootElement.TryGetProperty("tid", out var tid) && tid.ValueKind == System.Text.Json.JsonValueKind.String
                && Guid.TryParse(tid.GetString(), out var id) ? id.ToString("D") : null;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _httpFactory.Dispose();
        _gate.Dispose();
    }
}
