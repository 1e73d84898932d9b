using System.Text.Json;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Marketo;

namespace MlConnector.SyncRunner;

/// <summary>The sandbox's ready line (what MlConnector.Sandbox prints): where its services are and the credentials they accept.</summary>
internal sealed class SandboxInfo
{
    private readonly JsonElement _root;

    private SandboxInfo(JsonElement root) => _root = root;

    public static SandboxInfo Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return new SandboxInfo(doc.RootElement.Clone());
    }

    public string this[string name] => _root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        ? value.GetString()!
        : throw new ArgumentException($"The sandbox JSON has no '{name}'.");

    public Uri AdminUri => WithSlash(this["adminUrl"]);

    public BusinessCentralSettings BusinessCentral(int pageSize) => new()
    {
        TenantId = this["tenantId"],
        ClientId = this["bcClientId"],
        Environment = this["environment"],
        Company = this["companyName"],
        BaseUri = Origin(this["bcApiBaseUrl"]),
        AuthorityHost = Origin(this["entraAuthority"]),
        SandboxTlsThumbprint = this["certificateThumbprint"],
        PageSize = pageSize,
    };

    public MarketoSettings Marketo(int callsPer20Seconds, int maxConcurrency, TimeSpan rateWindow, int? dailyCallBudget = null) => new()
    {
        MunchkinId = this["munchkinId"],
        ClientId = this["marketoClientId"],
        BaseUri = new Uri(this["marketoRestUrl"]),
        IdentityUri = new Uri(this["marketoIdentityUrl"]),
        CallsPer20Seconds = callsPer20Seconds,
        MaxConcurrency = maxConcurrency,
        RateWindow = rateWindow,
        DailyCallBudget = dailyCallBudget,
    };

    private static Uri Origin(string url) => new(new Uri(url).GetLeftPart(UriPartial.Authority) + "/");

    private static Uri WithSlash(string url) => new(url.EndsWith('/') ? url : url + "/");
}
