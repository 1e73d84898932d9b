namespace MlConnector.Engine.BusinessCentral;

/// <summary>Where and as whom to reach Business Central. The credential (secret or certificate) travels separately as a BusinessCentralCredential.</summary>
public sealed class BusinessCentralSettings
{
    public static readonly Uri DefaultBaseUri = new("https://api.businesscentral.dynamics.com/");
    public static readonly Uri DefaultAuthorityHost = new("https://login.microsoftonline.com/");

    /// <summary>Entra tenant GUID or verified domain.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>Application (client) ID of the app registration.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>BC environment name, e.g. Production.</summary>
    public string Environment { get; set; } = "";

    /// <summary>Company id (GUID) or name; a name is resolved through GET companies.</summary>
    public string Company { get; set; } = "";

    public Uri BaseUri { get; set; } = DefaultBaseUri;

    /// <summary>
    /// Goes before this company's customer numbers in Marketo (externalCompanyId, and the lead's link to its company), so
    /// several BC companies can sync into one Marketo instance without their keys colliding. Empty: none.
    /// </summary>
    public string? CompanyKeyPrefix { get; set; }

    /// <summary>Which way Invoke-MlSync syncs this company's pair when -Direction is not given; null: BC → Marketo only.</summary>
    public Sync.PairDirection? SyncDirection { get; set; }

    /// <summary>Entra host: one of Microsoft's sign-in hosts (global, US Government, China), or a loopback host with <see cref="SandboxTlsThumbprint"/> (the sandbox).</summary>
    public Uri AuthorityHost { get; set; } = DefaultAuthorityHost;

    /// <summary>
    /// SHA-1 or SHA-256 thumbprint of the loopback sandbox's own TLS (server) certificate, trusted instead of the platform's
    /// validation; never accepted for a real host. Not the app's sign-in certificate (that is a <see cref="BusinessCentralCredential"/>).
    /// </summary>
    public string? SandboxTlsThumbprint { get; set; }

    /// <summary>
    /// Lets the base URI and authority be hosts other than Microsoft's documented ones (see TrustedHosts), which then
    /// receive the token and the secret. Off by default; every connect that relies on it logs a warning.
    /// </summary>
    public bool AllowUntrustedEndpoint { get; set; }

    /// <summary>Entities per page asked for with Prefer: odata.maxpagesize (BC online caps it at 20,000).</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>How far before ModifiedSince incremental reads start, because lastModifiedDateTime is not strictly monotonic.</summary>
    public TimeSpan ModifiedSinceOverlap { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long before expiry the access token is renewed.</summary>
    public TimeSpan TokenRenewalMargin { get; set; } = TimeSpan.FromMinutes(5);

    public BcRetryOptions Retry { get; set; } = new();

    /// <summary>A copy to change for one use (a probe, a test) without touching these settings; every field comes along.</summary>
    public BusinessCentralSettings Copy()
    {
        var copy = (BusinessCentralSettings)MemberwiseClone();
        copy.Retry = Retry.Copy();
        return copy;
    }
}

/// <summary>Bounds of the retry policy for 429/503/504 and transport failures.</summary>
public sealed class BcRetryOptions
{
    /// <summary>Attempts in all (the first try included).</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>First back-off delay; doubles each retry, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest single wait, also the cap on a server's Retry-After.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Bound on one logical call including every retry and wait.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Bound on one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    public BcRetryOptions Copy() => (BcRetryOptions)MemberwiseClone();
}
