using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>A Marketo reply after validation against the swagger.</summary>
public sealed record MarketoReply(HttpStatusCode Status, JsonObject Body)
{
    public bool Success => Body["success"]?.GetValue<bool>() == true;
    public string? ErrorCode => Body["errors"] is JsonArray { Count: > 0 } errors ? errors[0]!["code"]!.GetValue<string>() : null;
    public string? ErrorMessage => Body["errors"] is JsonArray { Count: > 0 } errors ? errors[0]!["message"]!.GetValue<string>() : null;
    public JsonArray Result => Body["result"] as JsonArray ?? new JsonArray();
    public JsonObject Item(int index) => Result[index]!.AsObject();
    public string? Status0 => Item(0)["status"]?.GetValue<string>();
    public string? ReasonCode(int index) => Item(index)["reasons"]?[0]?["code"]?.GetValue<string>();
    public string? NextPageToken => Body["nextPageToken"]?.GetValue<string>();
    public bool MoreResult => Body["moreResult"]?.GetValue<bool>() == true;
}

/// <summary>
/// Test client for the Marketo simulator: gets and attaches the access token and validates every JSON body
/// it receives against the swagger response schema of the endpoint (identity errors against the OAuth error shape).
/// </summary>
public sealed class MarketoApi(HttpClient http, MlConnector.Sandbox.SandboxHost host)
{
    public HttpClient Http { get; } = http;
    public MlConnector.Sandbox.SandboxHost Host { get; } = host;
    public string? Token { get; set; }

    public async Task<JsonObject> IdentityAsync(string? clientId = null, string? secret = null, bool post = false)
    {
        var o = Host.Marketo.Options;
        var query = $"identity/oauth/token?grant_type=client_credentials&client_id={Uri.EscapeDataString(clientId ?? o.ClientId)}&client_secret={Uri.EscapeDataString(secret ?? o.ClientSecret)}";
        using var request = new HttpRequestMessage(post ? HttpMethod.Post : HttpMethod.Get, query);
        var reply = await SendAsync(request, authorize: false);
        return reply.Body;
    }

    public async Task<string> AuthenticateAsync()
    {
        var body = await IdentityAsync();
        Token = body["access_token"]!.GetValue<string>();
        return Token;
    }

    public Task<MarketoReply> GetAsync(string pathAndQuery, bool authorize = true)
        => SendAsync(new HttpRequestMessage(HttpMethod.Get, pathAndQuery), authorize);

    public Task<MarketoReply> PostAsync(string path, object body, bool authorize = true)
        => SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) }, authorize);

    public Task<MarketoReply> PostRawAsync(string path, string content, string mediaType)
        => SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(content, Encoding.UTF8, mediaType) }, true);

    public Task<MarketoReply> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> form)
        => SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) }, true);

    public async Task<MarketoReply> SendAsync(HttpRequestMessage request, bool authorize = true)
    {
        using (request)
        {
            if (authorize)
            {
                Token ??= await AuthenticateAsync();
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            }
            var method = request.Method.Method;
            var path = request.RequestUri!.IsAbsoluteUri ? request.RequestUri.AbsolutePath : "/" + request.RequestUri.OriginalString.Split('?')[0];
            var query = request.RequestUri.OriginalString.Contains('?', StringComparison.Ordinal) ? request.RequestUri.OriginalString[request.RequestUri.OriginalString.IndexOf('?', StringComparison.Ordinal)..] : "";
            if (method == "POST" && query.Contains("_method=GET", StringComparison.Ordinal)) method = "GET";
            using var response = await Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var body = JsonNode.Parse(text)!.AsObject();
            AssertValid(method, path, response.StatusCode, body);
            AssertKnownMembers(method, path, body);
            return new MarketoReply(response.StatusCode, body);
        }
    }

    /// <summary>
    /// Lead and company records may carry any field of the instance (the swagger leaves them open), but only those:
    /// every member must be a swagger property of the record or a field describe lists, with exactly that casing.
    /// </summary>
    public void AssertKnownMembers(string method, string path, JsonObject body)
    {
        var definition = path.StartsWith("/identity/", StringComparison.Ordinal) ? null : SwaggerSchemas.DefinitionFor(method, path);
        var schema = definition switch
        {
            "ResponseOfLead" => Host.Marketo.LeadSchema,
            "ResponseOfCompany" => Host.Marketo.CompanySchema,
            _ => null,
        };
        if (definition is null || schema is null) return;
        AssertRecordMembers(definition, body, schema.Fields.Select(f => f.Name).ToArray(), $"{method} {path}");
    }

    public static void AssertRecordMembers(string definition, JsonObject body, IReadOnlyCollection<string> fields, string where)
    {
        var record = definition == "ResponseOfLead" ? "Lead" : "CompanyResponse";
        if (body["result"] is not JsonArray result) return;
        var allowed = SwaggerSchemas.PropertiesOf(record).Concat(fields).ToHashSet(StringComparer.Ordinal);
        foreach (var item in result.OfType<JsonObject>())
            foreach (var (name, _) in item)
                Assert.True(allowed.Contains(name), $"{where}: '{name}' is neither a {record} property in the swagger nor a field describe lists\n{body.ToJsonString()}");
    }

    public static void AssertValid(string method, string path, HttpStatusCode status, JsonObject body)
    {
        string definition;
        if (path.StartsWith("/identity/", StringComparison.Ordinal))
            definition = status == HttpStatusCode.OK ? "ResponseOfIdentity" : "OAuthError";
        else
            definition = SwaggerSchemas.DefinitionFor(method, path) ?? "ResponseOfVoid"; // unknown resources (610) still carry the envelope
        var errors = SwaggerSchemas.Validate(definition, body);
        Assert.True(errors.Count == 0, $"{method} {path} ({(int)status}) does not match {definition}: {string.Join("; ", errors)}\n{body.ToJsonString()}");
    }
}
