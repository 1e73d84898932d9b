using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Core;
using MlConnector.Engine.Http;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.Cloud;

/// <summary>
/// The Automation account's managed identity as a job sees it: GET IDENTITY_ENDPOINT?resource=...&amp;api-version=2019-08-01
/// with the IDENTITY_HEADER value in X-IDENTITY-HEADER (and Metadata: true), answered with an access token and its
/// expires_on. A token is kept and handed out until it nears its end — the last 5 minutes, or the second half of a
/// shorter life — and then asked for again, so no call goes out with a token about to expire. Transient failures
/// (429, 5xx, no answer) are retried a few times. Neither the header value nor a token ever appears in a message.
/// </summary>
internal sealed class AutomationIdentityCredential : TokenCredential, IDisposable
{
    public const string EndpointVariable = "IDENTITY_ENDPOINT";
    public const string HeaderVariable = "IDENTITY_HEADER";
    private const string ApiVersion = "2019-08-01";
    private const int MaxAttempts = 3;
    private static readonly TimeSpan RenewalMargin = TimeSpan.FromMinutes(5);

    private readonly Uri _endpoint;
    private readonly SecretText _header;
    private readonly string? _clientId;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Resource, AccessToken Token, DateTimeOffset RenewAt)? _cached;

    public AutomationIdentityCredential(Uri endpoint, SecretText header, string? clientId, TimeProvider? time = null)
    {
        _endpoint = EndpointPolicy.RequireSecure(endpoint, "The Automation identity endpoint (" + EndpointVariable + ")");
        _header = header;
        _clientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId.Trim();
        _time = time ?? TimeProvider.System;
        _http = new HttpClient(EndpointPolicy.CreateHandler(_endpoint, null, new ResponseGuard("StateStoreIdentity", "The Automation identity endpoint", ResponseGuard.TokenBytes)))
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>From the job's environment; a clear error when the variables are missing (not an Automation job).</summary>
    public static AutomationIdentityCredential FromEnvironment(string? clientId, TimeProvider? time = null)
    {
        var endpoint = Environment.GetEnvironmentVariable(EndpointVariable);
        var header = Environment.GetEnvironmentVariable(HeaderVariable);
        if (string.IsNullOrWhiteSpace(endpoint) || string.IsNullOrEmpty(header) || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            throw new MlConnectorException(IdentityUnavailableId, MlErrorCategory.InvalidConfiguration,
                $"A table state store given by its endpoint signs in with the Azure Automation account's managed identity, but {EndpointVariable} and {HeaderVariable} " +
                "are not set: this is not an Automation job. Outside Automation keep a connection string or SAS URL in a SecretManagement vault and pass " +
                "-StateStore 'vault:<vault name>/<secret name>'.");
        }
        return new AutomationIdentityCredential(uri, new SecretText(header), clientId, time);
    }

    public const string IdentityUnavailableId = "StateStoreIdentityUnavailable";
    public const string IdentityFailedId = "StateStoreIdentityFailed";

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        => GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        var resource = ResourceOf(requestContext.Scopes);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } cached && cached.Resource == resource && _time.GetUtcNow() < cached.RenewAt) return cached.Token;
            var token = await RequestAsync(resource, cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var life = token.ExpiresOn - now;
            var renewAt = token.ExpiresOn - (life > RenewalMargin * 2 ? RenewalMargin : life / 2);
            _cached = (resource, new AccessToken(token.Token, token.ExpiresOn, renewAt), renewAt);
            return _cached.Value.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }

    /// <summary>"https://storage.azure.com/.default" is asked of the endpoint as the resource "https://storage.azure.com/".</summary>
    internal static string ResourceOf(string[] scopes)
    {
        var scope = scopes.Length == 1 ? scopes[0] : throw new ArgumentException("The identity endpoint takes exactly one resource.", nameof(scopes));
        return scope.EndsWith("/.default", StringComparison.Ordinal) ? scope[..^".default".Length] : scope;
    }

    private async Task<AccessToken> RequestAsync(string resource, CancellationToken cancellationToken)
    {
        var query = (_endpoint.Query.Length > 0 ? "&" : "?") + $"api-version={ApiVersion}&resource={Uri.EscapeDataString(resource)}" + (_clientId is null ? "" : "&client_id=" + Uri.EscapeDataString(_clientId));
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_endpoint + query));
            request.Headers.TryAddWithoutValidation("X-IDENTITY-HEADER", _header.Reveal());
            request.Headers.TryAddWithoutValidation("Metadata", "true");
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt < MaxAttempts)
                {
                    await Task.Delay(TimeSpan.FromSeconds(attempt), _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                throw Failed($"it did not answer ({e.Message})", e);
            }
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return Parse(body);
                var transient = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
                if (transient && attempt < MaxAttempts)
                {
                    await Task.Delay(TimeSpan.FromSeconds(attempt), _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                throw Failed($"it answered HTTP {(int)response.StatusCode}: {MessageOf(body)}", null);
            }
        }
    }

    private static AccessToken Parse(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var token = root.GetProperty("access_token").GetString();
            var expires = root.GetProperty("expires_on");
            var seconds = expires.ValueKind == JsonValueKind.Number ? expires.GetInt64() : long.Parse(expires.GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture);
            if (string.IsNullOrEmpty(token)) throw new FormatException("access_token is empty");
            return new AccessToken(token, DateTimeOffset.FromUnixTimeSeconds(seconds));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or OverflowException)
        {
            throw Failed("its answer was not a token response (access_token, expires_on)", e);
        }
    }

    private static string MessageOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            foreach (var name in new[] { "Message", "message", "error_description", "error" })
                if (json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String) return Diagnostics.Redactor.Redact(value.GetString());
        }
        catch (JsonException) { }
        return "no message";
    }

    private static MlConnectorException Failed(string what, Exception? inner) => new(IdentityFailedId, MlErrorCategory.Authentication,
        $"The Automation account's managed identity gave no token for the table state store: {what}. Check that the account has a managed identity " +
        "(Identity → System assigned: On, or the user-assigned identity's client id) and that it holds Storage Table Data Contributor on the storage account.", inner);
}
