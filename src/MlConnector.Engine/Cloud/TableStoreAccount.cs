using Azure.Data.Tables;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.Cloud;

/// <summary>
/// A storage account the table state store lives in, and how it signs in: the Automation account's managed identity
/// (tokens for https://storage.azure.com/ from the job's identity endpoint), or a connection string or SAS URL read from
/// a vault. <see cref="Location"/> names the endpoint only; the secret is never part of it.
/// </summary>
public sealed class TableStoreAccount
{
    private readonly Func<ICollection<IDisposable>, TableServiceClient> _connect;

    private TableStoreAccount(string location, Func<ICollection<IDisposable>, TableServiceClient> connect)
    {
        Location = location;
        _connect = connect;
    }

    /// <summary>The table service endpoint, for messages.</summary>
    public string Location { get; }

    /// <summary>The managed identity of the Automation job this runs in (IDENTITY_ENDPOINT, IDENTITY_HEADER); <paramref name="clientId"/> picks a user-assigned one.</summary>
    public static TableStoreAccount WithManagedIdentity(Uri endpoint, string? clientId = null, string? pinnedThumbprint = null)
    {
        TableServiceFactory.RequireTrusted(endpoint);
        return new TableStoreAccount(Show(endpoint),
            owned => TableServiceFactory.WithCredential(endpoint, Owned(AutomationIdentityCredential.FromEnvironment(clientId), owned), pinnedThumbprint, owned));
    }

    /// <summary>A managed identity served by the given endpoint (what a job finds in IDENTITY_ENDPOINT and IDENTITY_HEADER).</summary>
    public static TableStoreAccount WithIdentityEndpoint(Uri endpoint, Uri identityEndpoint, SecretText identityHeader, string? clientId = null,
        string? pinnedThumbprint = null, TimeProvider? time = null)
    {
        TableServiceFactory.RequireTrusted(endpoint);
        return new TableStoreAccount(Show(endpoint),
            owned => TableServiceFactory.WithCredential(endpoint, Owned(new AutomationIdentityCredential(identityEndpoint, identityHeader, clientId, time), owned),
                pinnedThumbprint, owned));
    }

    /// <summary>A connection string (account key or SAS) or a table service SAS URL.</summary>
    public static TableStoreAccount WithSecret(SecretText connectionStringOrSasUrl, string? pinnedThumbprint = null)
    {
        ArgumentNullException.ThrowIfNull(connectionStringOrSasUrl);
        var endpoint = TableServiceFactory.RequireTrusted(TableServiceFactory.EndpointOf(connectionStringOrSasUrl.Reveal()));
        return new TableStoreAccount(Show(endpoint), owned => TableServiceFactory.WithSecret(connectionStringOrSasUrl.Reveal(), pinnedThumbprint, owned));
    }

    /// <summary>A client for the account; what it holds open (HTTP clients, the credential) is added to <paramref name="owned"/>.</summary>
    internal TableServiceClient Connect(ICollection<IDisposable> owned) => _connect(owned);

    private static T Owned<T>(T disposable, ICollection<IDisposable> owned) where T : IDisposable
    {
        owned.Add(disposable);
        return disposable;
    }

    private static string Show(Uri endpoint) => endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
}
