using Microsoft.Identity.Client;
using MlConnector.Engine.Http;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// Gives MSAL one HttpClient built on the endpoint policy, so the sandbox's pinned certificate is the only relaxation,
/// no redirect carries the client secret elsewhere, and a token response is read up to a small bound.
/// </summary>
internal sealed class MsalHttpClientFactory(Uri authority, string? pinnedThumbprint) : IMsalHttpClientFactory, IDisposable
{
    private readonly HttpClient _client = new(EndpointPolicy.CreateHandler(authority, pinnedThumbprint, Guard), disposeHandler: true);

    private static readonly ResponseGuard Guard = new("BusinessCentral", "The Entra token service", ResponseGuard.TokenBytes);

    public HttpClient GetHttpClient() => _client;

    public void Dispose() => _client.Dispose();
}
