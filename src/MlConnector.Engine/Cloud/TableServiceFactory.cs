using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using MlConnector.Engine.Http;

namespace MlConnector.Engine.Cloud;

/// <summary>
/// Builds Azure Table Storage clients the way the engine uses them: a few bounded retries, no request or response
/// content in the Azure SDK's own diagnostics (entities carry customer data), the connector's own transport (no
/// redirects, bounded responses, a pinned certificate only on loopback), and only endpoints of Azure Storage's table
/// service — public cloud, US Government, China, DNS-zone endpoints — or loopback (the emulator).
/// </summary>
public static partial class TableServiceFactory
{
    public const string UntrustedEndpointId = "StateStoreEndpointUntrusted";

    /// <summary>A table page of 1,000 queued jobs is a few MB; rows are at most 1 MB each.</summary>
    private const long MaxResponseBytes = 64L << 20;

    /// <summary>A client for one table from a connection string (account key or SAS); the string is never logged.</summary>
    public static TableClient FromConnectionString(string connectionString, string tableName)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        return new TableClient(connectionString, tableName, Options());
    }

    internal static TableClientOptions Options()
    {
        var options = new TableClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 3;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        options.Diagnostics.IsLoggingContentEnabled = false;
        options.Diagnostics.IsDistributedTracingEnabled = false;
        return options;
    }

    /// <summary>Options whose transport talks to <paramref name="endpoint"/> only as the connector allows; its HttpClient goes to <paramref name="owned"/>.</summary>
    internal static TableClientOptions Options(Uri endpoint, string? pinnedThumbprint, ICollection<IDisposable> owned)
    {
        var options = Options();
        var http = new HttpClient(EndpointPolicy.CreateHandler(endpoint, pinnedThumbprint, new ResponseGuard("StateStore", "Azure Table Storage", MaxResponseBytes)))
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        owned.Add(http);
        options.Transport = new HttpClientTransport(http);
        return options;
    }

    internal static TableServiceClient WithCredential(Uri endpoint, TokenCredential credential, string? pinnedThumbprint, ICollection<IDisposable> owned)
        => new(RequireTrusted(endpoint), credential, Options(endpoint, pinnedThumbprint, owned));

    /// <summary>The table service endpoint a connection string or SAS URL names (nothing is sent anywhere).</summary>
    internal static Uri EndpointOf(string secret)
    {
        if (Uri.TryCreate(secret, UriKind.Absolute, out var url) && url.Scheme is "https" or "http") return new Uri(url.GetLeftPart(UriPartial.Path));
        try
        {
            return new Uri(new TableServiceClient(secret).Uri.GetLeftPart(UriPartial.Path));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // The parser's message may quote the string: say only what is wrong.
            throw Unusable("it is neither a storage connection string (AccountName/AccountKey, or TableEndpoint/SharedAccessSignature) nor a SAS URL");
        }
    }

    /// <summary>A connection string (account key or SAS) or a SAS URL of the table service.</summary>
    internal static TableServiceClient WithSecret(string secret, string? pinnedThumbprint, ICollection<IDisposable> owned)
    {
        if (Uri.TryCreate(secret, UriKind.Absolute, out var url) && url.Scheme is "https" or "http")
        {
            if (url.Query.Length <= 1)
                throw Unusable("it is a URL without a SAS token: store the table service's SAS URL (https://<account>.table.core.windows.net/?sv=...&sig=...) or a connection string");
            var endpoint = new Uri(url.GetLeftPart(UriPartial.Path));
            return new TableServiceClient(RequireTrusted(endpoint), new AzureSasCredential(url.Query), Options(endpoint, pinnedThumbprint, owned));
        }
        return new TableServiceClient(secret, Options(RequireTrusted(EndpointOf(secret)), pinnedThumbprint, owned));
    }

    public const string SecretUnusableId = "StateStoreSecretUnusable";

    private static MlConnectorException Unusable(string why) =>
        new(SecretUnusableId, MlErrorCategory.InvalidConfiguration, $"The state store's secret cannot be used: {why}.");

    /// <summary>The endpoint, when it is Azure Storage's table service (https, default port) or loopback; otherwise a refusal.</summary>
    public static Uri RequireTrusted(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var trusted = endpoint.IsAbsoluteUri && string.IsNullOrEmpty(endpoint.UserInfo) && (EndpointPolicy.IsLoopback(endpoint)
            ? endpoint.Scheme is "https" or "http"
            : endpoint.Scheme == Uri.UriSchemeHttps && endpoint.IsDefaultPort && TableHost().IsMatch(endpoint.IdnHost));
        if (trusted) return endpoint;
        throw new MlConnectorException(UntrustedEndpointId, MlErrorCategory.InvalidConfiguration,
            $"'{TrustedHosts.Show(endpoint)}' is not an Azure Table Storage endpoint: the state store accepts https://<account>.table.core.windows.net " +
            "(or .table.core.usgovcloudapi.net, .table.core.chinacloudapi.cn, a DNS-zone endpoint .zNN.table.storage.azure.net) and, for the emulator, a loopback address.");
    }

    [GeneratedRegex(@"^[a-z0-9]{3,24}\.(table\.core\.windows\.net|table\.core\.usgovcloudapi\.net|table\.core\.chinacloudapi\.cn|z\d{1,2}\.table\.storage\.azure\.net)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TableHost();
}
