using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Connections;

/// <summary>
/// A saved connection: everything needed to reconnect except the secrets, which stay in a SecretManagement vault
/// under <see cref="BusinessCentralProfile.SecretName"/> / <see cref="MarketoProfile.SecretName"/>, and certificates,
/// which stay in the certificate store (a profile keeps the thumbprint, never the key).
/// </summary>
public sealed class ConnectionProfile
{
    public string Name { get; set; } = "";

    public BusinessCentralProfile? BusinessCentral { get; set; }

    public MarketoProfile? Marketo { get; set; }

    /// <summary>The state store runs from this profile use (Connect-MlStateStore -SaveProfile): a path, an endpoint or vault:&lt;vault&gt;/&lt;secret&gt; — never a secret.</summary>
    public string? StateStore { get; set; }
}

/// <summary>
/// Business Central's part of a profile. The conversions to and from <see cref="BusinessCentralSettings"/> are the one
/// place the fields are copied; every settings field is either saved or listed in <see cref="NotSaved"/>.
/// </summary>
public sealed class BusinessCentralProfile
{
    /// <summary>Settings fields a profile does not keep: tuning that is back at its default after a reconnect.</summary>
    public static readonly IReadOnlyCollection<string> NotSaved =
        [nameof(BusinessCentralSettings.PageSize), nameof(BusinessCentralSettings.ModifiedSinceOverlap), nameof(BusinessCentralSettings.TokenRenewalMargin), nameof(BusinessCentralSettings.Retry)];

    public string TenantId { get; set; } = "";
    public string ClientId { get; set; } = "";
    public string Environment { get; set; } = "";
    public string Company { get; set; } = "";
    public Uri? BaseUri { get; set; }
    public Uri? AuthorityHost { get; set; }

    /// <summary>The sandbox's own TLS certificate (loopback only); not the sign-in certificate.</summary>
    public string? SandboxTlsThumbprint { get; set; }

    /// <summary>Sign-in with a certificate: its SHA-1 thumbprint in the current user's store. Null when a secret is used.</summary>
    public string? ClientCertificateThumbprint { get; set; }

    /// <summary>Saved from -AllowUntrustedEndpoint: every reconnect from this profile warns that it is on.</summary>
    public bool AllowUntrustedEndpoint { get; set; }

    /// <summary>Goes before the company's customer numbers in Marketo; null or empty: none.</summary>
    public string? CompanyKeyPrefix { get; set; }

    /// <summary>Which way Invoke-MlSync syncs the pair when -Direction is not given (BcToMarketo, MarketoToBc, Both); null: BcToMarketo.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<Sync.PairDirection>))]
    public Sync.PairDirection? SyncDirection { get; set; }

    /// <summary>Sign-in with a secret: the SecretManagement vault and secret name that hold it.</summary>
    public string? Vault { get; set; }

    public string? SecretName { get; set; }

    public static BusinessCentralProfile From(BusinessCentralSettings settings, string? vault, string? secretName, string? clientCertificateThumbprint) => new()
    {
        TenantId = settings.TenantId,
        ClientId = settings.ClientId,
        Environment = settings.Environment,
        Company = settings.Company,
        BaseUri = settings.BaseUri,
        AuthorityHost = settings.AuthorityHost,
        SandboxTlsThumbprint = settings.SandboxTlsThumbprint,
        AllowUntrustedEndpoint = settings.AllowUntrustedEndpoint,
        CompanyKeyPrefix = settings.CompanyKeyPrefix,
        SyncDirection = settings.SyncDirection,
        ClientCertificateThumbprint = clientCertificateThumbprint,
        Vault = clientCertificateThumbprint is null ? vault : null,
        SecretName = clientCertificateThumbprint is null ? secretName : null,
    };

    public BusinessCentralSettings ToSettings() => new()
    {
        TenantId = TenantId,
        ClientId = ClientId,
        Environment = Environment,
        Company = Company,
        BaseUri = BaseUri ?? BusinessCentralSettings.DefaultBaseUri,
        AuthorityHost = AuthorityHost ?? BusinessCentralSettings.DefaultAuthorityHost,
        SandboxTlsThumbprint = SandboxTlsThumbprint,
        AllowUntrustedEndpoint = AllowUntrustedEndpoint,
        CompanyKeyPrefix = CompanyKeyPrefix,
        SyncDirection = SyncDirection,
    };
}

/// <summary>Marketo's part of a profile; the conversions are the one place its fields are copied.</summary>
public sealed class MarketoProfile
{
    /// <summary>Settings fields a profile does not keep: tuning that is back at its default after a reconnect.</summary>
    public static readonly IReadOnlyCollection<string> NotSaved =
        [nameof(MarketoSettings.RateWindow), nameof(MarketoSettings.PageSize), nameof(MarketoSettings.Retry)];

    public string MunchkinId { get; set; } = "";
    public string ClientId { get; set; } = "";
    public Uri? BaseUri { get; set; }
    public Uri? IdentityUri { get; set; }
    public int? CallsPer20Seconds { get; set; }
    public int? MaxConcurrency { get; set; }
    public int? DailyCallBudget { get; set; }
    public TimeSpan? BulkImportPollInterval { get; set; }

    /// <summary>Saved from -AllowUntrustedEndpoint: every reconnect from this profile warns that it is on.</summary>
    public bool AllowUntrustedEndpoint { get; set; }

    public string Vault { get; set; } = "";
    public string SecretName { get; set; } = "";

    public static MarketoProfile From(MarketoSettings settings, string vault, string secretName) => new()
    {
        MunchkinId = settings.MunchkinId,
        ClientId = settings.ClientId,
        BaseUri = settings.BaseUri,
        IdentityUri = settings.IdentityUri,
        CallsPer20Seconds = settings.CallsPer20Seconds,
        MaxConcurrency = settings.MaxConcurrency,
        DailyCallBudget = settings.DailyCallBudget,
        BulkImportPollInterval = settings.BulkImportPollInterval,
        AllowUntrustedEndpoint = settings.AllowUntrustedEndpoint,
        Vault = vault,
        SecretName = secretName,
    };

    public MarketoSettings ToSettings() => new()
    {
        MunchkinId = MunchkinId,
        ClientId = ClientId,
        BaseUri = BaseUri,
        IdentityUri = IdentityUri,
        CallsPer20Seconds = CallsPer20Seconds ?? MarketoSettings.DefaultCallsPer20Seconds,
        MaxConcurrency = MaxConcurrency ?? MarketoSettings.DefaultMaxConcurrency,
        DailyCallBudget = DailyCallBudget,
        BulkImportPollInterval = BulkImportPollInterval ?? MarketoSettings.DefaultBulkImportPollInterval,
        AllowUntrustedEndpoint = AllowUntrustedEndpoint,
    };
}
