namespace MlConnector.Sandbox.Entra;

/// <summary>The simulated Entra ID tenant: its app registrations, secrets and token lifetime.</summary>
public sealed class EntraOptions
{
    /// <summary>The tenant GUID (also accepted: <see cref="TenantDomain"/>).</summary>
    public string TenantId { get; set; } = "3f6c2b1e-8d4a-4c71-9b0e-5a2d7c9e1f40";

    public string TenantDomain { get; set; } = "mlconnector-sandbox.onmicrosoft.com";

    /// <summary>The connector's app registration (Application (client) ID).</summary>
    public string ClientId { get; set; } = "9a1d4e27-6b3c-4f58-8e02-71c5d3b9a6e4";

    /// <summary>The client secret *value*.</summary>
    public string ClientSecret { get; set; } = "Sbx8Q~mlconnector.sandbox-secret~value01";

    /// <summary>
    /// Certificates registered on the connector's app (public parts, as uploaded under Certificates &amp; secrets): a client
    /// assertion signed by one of them signs in. Empty by default; tests and the admin API add them.
    /// </summary>
    public List<System.Security.Cryptography.X509Certificates.X509Certificate2> ClientCertificates { get; } = new();

    /// <summary>When true the secret is past its end date: AADSTS7000222.</summary>
    public bool SecretExpired { get; set; }

    /// <summary>Access-token lifetime; null means Entra's default, random between 60 and 90 minutes.</summary>
    public TimeSpan? TokenLifetime { get; set; }

    /// <summary>Further registrations (possibly in other tenants): they get tokens, but BC only accepts apps it knows.</summary>
    public List<EntraApp> AdditionalApps { get; } = new();
}

public sealed record EntraApp(string TenantId, string ClientId, string ClientSecret, bool SecretExpired = false);
