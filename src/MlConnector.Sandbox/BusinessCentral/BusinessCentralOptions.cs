namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>The simulated BC online environment: where it lives, its company, which Entra apps it knows, and its limits.</summary>
public sealed class BusinessCentralOptions
{
    public string EnvironmentName { get; set; } = "Production";

    public Guid CompanyId { get; set; } = Guid.Parse("6f1c2d3e-4b5a-4e8f-9c7d-1a2b3c4d5e6f");

    /// <summary>Company.Name (MaxLength 30), also accepted by ?company= and the $batch Company header.</summary>
    public string CompanyName { get; set; } = "CRONUS USA, Inc.";

    /// <summary>The id of company <paramref name="number"/> (1-based): <see cref="CompanyId"/> for the first, a fixed variation of it for the others.</summary>
    public Guid CompanyIdOf(int number)
    {
        if (number <= 1) return CompanyId;
        var bytes = CompanyId.ToByteArray();
        bytes[15] ^= (byte)number;
        bytes[14] ^= (byte)(number >> 8);
        return new Guid(bytes);
    }

    /// <summary>The name of company <paramref name="number"/> (1-based): <see cref="CompanyName"/> for the first, "… 2", "… 3" for the others.</summary>
    public string CompanyNameOf(int number) => number <= 1 ? CompanyName : $"{CompanyName} {number.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Local currency: what currencyCode shows when currencyId is empty.</summary>
    public string LocalCurrencyCode { get; set; } = "USD";

    /// <summary>Client ids on the "Microsoft Entra Applications" page. Empty at start means: the Entra simulator's app.</summary>
    public List<string> RegisteredAppIds { get; } = new();

    /// <summary>Per-user request rate: this many requests per <see cref="RateWindow"/> (sliding), then 429.</summary>
    public int RequestsPerWindow { get; set; } = 6000;

    public TimeSpan RateWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Requests processed at once per user; the rest queue.</summary>
    public int MaxConcurrentRequests { get; set; } = 5;

    /// <summary>Requests that may wait per user; beyond that (100 connections online) the answer is 429.</summary>
    public int MaxQueuedRequests { get; set; } = 95;

    /// <summary>Whether a 429 carries Retry-After (BC documents it only for 502/503, so it is off by default).</summary>
    public bool RetryAfterOn429 { get; set; }

    /// <summary>Artificial processing time per request, held inside the concurrency slot (to make overlap testable).</summary>
    public TimeSpan ProcessingDelay { get; set; }

    /// <summary>Page size when the client sends no Prefer: odata.maxpagesize (BC online: 20,000).</summary>
    public int DefaultPageSize { get; set; } = 20000;

    public int MaxPageSize { get; set; } = 20000;

    public int MaxBatchOperations { get; set; } = 100;

    /// <summary>Webhook subscriptions and change notifications (§5).</summary>
    public Webhooks.BcWebhookOptions Webhooks { get; } = new();

    /// <summary>
    /// Commit lag: a write becomes visible to readers up to this long after it was stamped (each write gets a
    /// deterministic share of it). BC stamps SystemModifiedAt in the server tier before the commit, so long
    /// transactions show rows later than rows stamped after them. Default zero (visible at once); the real lag is
    /// not published (assumption).
    /// </summary>
    public TimeSpan CommitLag { get; set; }

    /// <summary>
    /// A second server tier whose clock is off by this much (negative: behind) stamps every other write, so
    /// lastModifiedDateTime is not monotone (microsoft/ALAppExtensions#13474). Default zero (one server tier).
    /// </summary>
    public TimeSpan SecondServerSkew { get; set; }

    /// <summary>
    /// The customer template a POST customers gets (BC applies the template its Config. Template Selection Rules pick,
    /// through Graph Mgt - General Tools' ProcessNewRecordFromAPI; the API cannot name one): API property names and values,
    /// set where the request did not set them. Default none (no selection rule in the company).
    /// </summary>
    public Dictionary<string, System.Text.Json.JsonElement> CustomerTemplate { get; } = new(StringComparer.Ordinal);

    /// <summary>The error code of a throttled request. Not in the vendor notes; configurable.</summary>
    public string TooManyRequestsCode { get; set; } = "Application_TooManyRequests";
}
