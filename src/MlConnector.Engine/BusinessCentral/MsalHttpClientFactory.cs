using Microsoft.Identity.Client;
using MlConnector.Engine.Http;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>Gives MSAL one HttpClient built on the endpoint policy, so the sandbox's pinned certificate is the only relaxation.</summary>
internal sealed class MsalHttpClientFactory(Uri authority, string? pinnedThumbprint) : IMsalHttpClientFactory, IDisposable
{
    private readonly HttpClient _client = new(EndpointPolicy.CreateHandler(authority, pinnedThumbprint), disposeHandler: true);

    public HttpClient GetHttpClient() => _client;

    public void Dispose() => _client.Dispose();
}
