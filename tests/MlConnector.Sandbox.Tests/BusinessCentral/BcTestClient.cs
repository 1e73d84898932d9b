using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MlConnector.Sandbox.Entra;

namespace MlConnector.Sandbox.Tests.BusinessCentral;

/// <summary>Talks to the BC simulator over HTTP the way a client would: Entra token first, then the API. Every entity read is checked against $metadata.</summary>
public sealed class BcTestClient(SandboxHost host, HttpClient http)
{
    private string? _token;

    public SandboxHost Host => host;
    public HttpClient Http => http;
    public string ApiRoot => $"v2.0/{host.BusinessCentral.TenantId}/{host.BusinessCentral.Options.EnvironmentName}/api/v2.0/";
    public string Company => $"{ApiRoot}companies({host.BusinessCentral.CompanyId})/";

    public static async Task<string> RequestTokenAsync(SandboxHost host, HttpClient http, string? clientId = null, string? secret = null, string? tenant = null)
    {
        using var response = await http.PostAsync(new Uri(host.HttpsBaseUri, $"{tenant ?? host.Entra.Options.TenantId}/oauth2/v2.0/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId ?? host.Entra.Options.ClientId,
            ["client_secret"] = secret ?? host.Entra.Options.ClientSecret,
            ["scope"] = EntraSimulator.BusinessCentralScope,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    public async Task<string> TokenAsync() => _token ??= await RequestTokenAsync(host, http);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, object? body = null, Action<HttpRequestHeaders>? headers = null, string? token = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? await TokenAsync());
        if (body is not null) request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        headers?.Invoke(request.Headers);
        return await http.SendAsync(request);
    }

    /// <summary>GET that must succeed; checks every returned entity against $metadata.</summary>
    public async Task<JsonElement> GetCollectionAsync(string url, string entityType, Action<HttpRequestHeaders>? headers = null)
    {
        using var response = await SendAsync(HttpMethod.Get, url, headers: headers);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} → {(int)response.StatusCode} {body}");
        var json = JsonDocument.Parse(body).RootElement.Clone();
        EdmxConformance.AssertCollection(json, entityType);
        return json;
    }

    /// <summary>Every row of a collection read page by page (Prefer: odata.maxpagesize) through its nextLinks.</summary>
    public async Task<List<JsonElement>> ReadAllPagesAsync(string url, string entityType, int pageSize)
    {
        var rows = new List<JsonElement>();
        string? next = url;
        while (next is not null)
        {
            var body = await GetCollectionAsync(next, entityType, h => h.Add("Prefer", $"odata.maxpagesize={pageSize}"));
            rows.AddRange(body.GetProperty("value").EnumerateArray());
            next = body.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
        }
        return rows;
    }

    public async Task<JsonElement> GetEntityAsync(string url, string entityType)
    {
        using var response = await SendAsync(HttpMethod.Get, url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} → {(int)response.StatusCode} {body}");
        var json = JsonDocument.Parse(body).RootElement.Clone();
        EdmxConformance.AssertEntity(json, entityType);
        return json;
    }

    /// <summary>Asserts a BC error: status, code, and the "  CorrelationId:  guid." suffix.</summary>
    public static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Matches(@"  CorrelationId:  [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.$", message);
        return message;
    }
}
