namespace MlConnector.Output;

/// <summary>One connected service, as Get-MlConnection shows it. Never a secret or a token.</summary>
public sealed class MlConnectionInfo
{
    /// <summary>BusinessCentral, Marketo or StateStore (BaseUri then names the store: a path, an endpoint or vault:&lt;vault&gt;/&lt;secret&gt;).</summary>
    public required string Service { get; init; }
    public string? Profile { get; init; }
    public string? TenantId { get; init; }
    public string? MunchkinId { get; init; }
    public string? ClientId { get; init; }
    public string? Environment { get; init; }
    public string? Company { get; init; }
    public string? BaseUri { get; init; }
    public DateTimeOffset ConnectedAt { get; init; }
    public DateTimeOffset? TokenExpiresOn { get; init; }

    /// <summary>Business Central only: the thumbprint of the certificate the app signs in with; null for a client secret.</summary>
    public string? CertificateThumbprint { get; init; }

    /// <summary>Marketo only: false while the instance is CRM-synced (Companies read-only); null until known.</summary>
    public bool? CompaniesWritable { get; init; }
}
