using Azure.Core;
using Azure.Data.Tables;

namespace MlConnector.Engine.Cloud;

/// <summary>
/// Builds Azure Table Storage clients the way the engine uses them: a few bounded retries, and no request
/// or response content in the Azure SDK's own diagnostics (entities carry customer data). The table state
/// store creates its clients here.
/// </summary>
public static class TableServiceFactory
{
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
        return options;
    }
}
