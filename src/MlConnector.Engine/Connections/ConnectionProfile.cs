namespace MlConnector.Engine.Connections;

/// <summary>
/// A saved connection: everything needed to reconnect except the secrets, which stay in a
/// SecretManagement vault under <see cref="BusinessCentralProfile.SecretName"/> / <see cref="MarketoProfile.SecretName"/>.
/// </summary>
public sealed class ConnectionProfile
{
    public string Name { get; set; } = "";

    public BusinessCentralProfile? BusinessCentral { get; set; }

    public MarketoProfile? Marketo { get; set; }
}

public sealed class BusinessCentralProfile
{
    public string TenantId { get; set; } = "";
    public string ClientId { get; set; } = "";
    public string Environment { get; set; } = "";
    public string Company { get; set; } = "";
    public Uri? BaseUri { get; set; }
    public Uri? AuthorityHost { get; set; }
    public string? CertificateThumbprint { get; set; }

    /// <summary>Goes before the company's customer numbers in Marketo; null or empty: none.</summary>
    public string? CompanyKeyPrefix { get; set; }
    public string Vault { get; set; } = "";
    public string SecretName { get; set; } = "";
}

public sealed class MarketoProfile
{
    public string MunchkinId { get; set; } = "";
    public string ClientId { get; set; } = "";
    public Uri? BaseUri { get; set; }
    public Uri? IdentityUri { get; set; }
    public int? CallsPer20Seconds { get; set; }
    public int? MaxConcurrency { get; set; }
    public int? DailyCallBudget { get; set; }
    public string Vault { get; set; } = "";
    public string SecretName { get; set; } = "";
}
