using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Azure.Data.Tables;
using Microsoft.Data.Sqlite;
using Microsoft.Identity.Client;

namespace MlConnector.Engine.Hosting;

/// <summary>Reports the engine's own load context and the versions of the dependencies it resolved.</summary>
public static class EngineRuntime
{
    public static EngineRuntimeInfo Describe()
    {
        var engine = typeof(EngineRuntime).Assembly;
        var msal = typeof(ConfidentialClientApplicationBuilder).Assembly;
        var azureCore = typeof(Azure.Core.ClientOptions).Assembly;
        return new EngineRuntimeInfo
        {
            ModuleVersion = VersionOf(engine),
            EngineVersion = VersionOf(engine),
            LoadContext = LoadContextName(engine),
            MsalVersion = VersionOf(msal),
            MsalLoadContext = LoadContextName(msal),
            SqliteVersion = NativeSqliteVersion(),
            SqliteProviderVersion = VersionOf(typeof(SqliteConnection).Assembly),
            PollyVersion = VersionOf(typeof(Polly.ResiliencePipeline).Assembly),
            AzureTablesVersion = VersionOf(typeof(TableClient).Assembly),
            AzureCoreVersion = VersionOf(azureCore),
            AzureCoreLoadContext = LoadContextName(azureCore),
            Runtime = RuntimeInformation.FrameworkDescription,
            Platform = RuntimeInformation.RuntimeIdentifier,
        };
    }

    public static string LoadContextName(Assembly assembly) => AssemblyLoadContext.GetLoadContext(assembly)?.Name ?? "(none)";

    public static string VersionOf(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(informational)) return assembly.GetName().Version?.ToString() ?? "unknown";
        var plus = informational.IndexOf('+');
        return plus > 0 ? informational[..plus] : informational;
    }

    private static string NativeSqliteVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        return connection.ServerVersion;
    }
}
