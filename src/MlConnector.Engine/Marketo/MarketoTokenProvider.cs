using System.Text.Json;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Http;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.Marketo;

/// <summary>
/// The custom service's access token from /identity/oauth/token (client credentials). Renewed 60 s before
/// expiry and whenever a REST call reports it invalid (601) or expired (602). Marketo hands out the same token
/// until it has expired, so a token that comes back with under 60 s left is used to its end rather than
/// re-requested on every call. The secret goes in a form body, never in a URL or a message.
/// </summary>
internal sealed class MarketoTokenProvider
{
    internal static readonly TimeSpan RenewMargin = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http;
    private readonly Uri _tokenUri;
    private readonly string _clientId;
    private readonly SecretText _secret;
    private readonly MarketoRetry _retry;
    private readonly TimeProvider _time;
    private readonly IEngineLog _log;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile Token? _current;
    private volatile string? _apiUser;
    private int _identityCalls;

    public MarketoTokenProvider(HttpClient http, Uri identityBase, string clientId, SecretText secret, MarketoRetry retry, TimeProvider time, IEngineLog log)
    {
        _http = http;
        _tokenUri = new Uri(identityBase, "oauth/token");
        _clientId = clientId;
        _secret = secret;
        _retry = retry;
        _time = time;
        _log = log;
    }

    public int IdentityCalls => Volatile.Read(ref _identityCalls);

    /// <summary>
    /// The custom service's API-only user, as the token response names it in "scope" (null until a token was issued, or
    /// when the response had none): the "modifying user" of the connector's own writes in the change feed.
    /// </summary>
    public string? ApiUser => _apiUser;

    public async Task<(string Value, DateTimeOffset ExpiresAt)> GetAsync(CancellationToken cancellationToken)
    {
        if (Usable(_current) is { } token) return (token.Value, token.ExpiresAt);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Usable(_current) is { } again) return (again.Value, again.ExpiresAt);
            var fresh = await _retry.ExecuteAsync(RequestAsync, "identity/oauth/token", null, cancellationToken).ConfigureAwait(false);
            _current = fresh;
            return (fresh.Value, fresh.ExpiresAt);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Forget <paramref name="rejected"/> (after 601/602) unless another caller already replaced it.</summary>
    public void Invalidate(string rejected)
    {
        var current = _current;
        if (current is not null && current.Value == rejected) _current = null;
    }

    private Token? Usable(Token? token) => token is not null && _time.GetUtcNow() < token.RenewAfter ? token : null;

    private async Task<Token> RequestAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _tokenUri)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = _clientId,
                ["client_secret"] = _secret.Reveal(),
            }),
        };
        request.Options.Set(ResponseGuard.LimitOption, ResponseGuard.TokenBytes);
        var started = _time.GetTimestamp();
        Interlocked.Increment(ref _identityCalls);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        _log.Debug($"Marketo POST /{_tokenUri.AbsolutePath.TrimStart('/')} -> HTTP {status}, {_time.GetElapsedTime(started).TotalMilliseconds:0} ms");

        // Identity failures are OAuth bodies {error, error_description}, not the REST envelope.
        string? error = null, description = null, accessToken = null, scope = null;
        long? expiresIn = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            error = MarketoEnvelope.Text(root, "error");
            description = MarketoEnvelope.Text(root, "error_description");
            accessToken = MarketoEnvelope.Text(root, "access_token");
            expiresIn = MarketoEnvelope.Int64(root, "expires_in");
            scope = MarketoEnvelope.Text(root, "scope");
        }
        catch (JsonException) { }

        if (status >= 500 || (status == 200 && accessToken is null && error is null))
            throw new MarketoApiException(status.ToString(System.Globalization.CultureInfo.InvariantCulture), "identity service answered without a token", null, status, "identity/oauth/token");
        if (error is not null || accessToken is null)
            throw new MarketoAuthenticationException(Redact(
                $"Marketo refused the client credentials for client id '{_clientId}' (HTTP {status}, {error ?? "no error code"}: {description ?? "no description"}). " +
                "Check the Client Id and Client Secret of the custom service (Admin > Integration > LaunchPoint > View Details) and that its API-only user is active."));

        if (!string.IsNullOrWhiteSpace(scope)) _apiUser = scope.Trim();
        var now = _time.GetUtcNow();
        var lifetime = TimeSpan.FromSeconds(Math.Max(0, expiresIn ?? 0));
        var expiresAt = now + lifetime;
        return new Token(accessToken, expiresAt, lifetime > RenewMargin ? expiresAt - RenewMargin : expiresAt);
    }

    private string Redact(string text) => Redactor.Redact(text).Replace(_secret.Reveal(), Redactor.Mask, StringComparison.Ordinal);

    private sealed record Token(string Value, DateTimeOffset ExpiresAt, DateTimeOffset RenewAfter);
}
