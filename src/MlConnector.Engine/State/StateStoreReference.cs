using System.Text;
using MlConnector.Engine.Cloud;
using MlConnector.Engine.Security;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.State.Tables;

namespace MlConnector.Engine.State;

public enum StateStoreKind
{
    /// <summary>A SQLite database file (the default, in the MlConnector home).</summary>
    Sqlite,

    /// <summary>Azure Table Storage, signed in with the Automation account's managed identity.</summary>
    TableManagedIdentity,

    /// <summary>Azure Table Storage, with a connection string or SAS URL kept in a SecretManagement vault.</summary>
    TableVaultSecret,
}

/// <summary>
/// Which state store to use, as -StateStore and a profile name it — never holding a secret:
/// <list type="bullet">
/// <item><c>https://&lt;account&gt;.table.core.windows.net</c>: Azure Table Storage with the Automation account's managed identity;</item>
/// <item><c>vault:&lt;vault&gt;/&lt;secret&gt;</c>: Azure Table Storage with the connection string or SAS URL kept in that SecretManagement secret;</item>
/// <item>anything else: the path of a SQLite database.</item>
/// </list>
/// The table forms take options after '?': tablePrefix=&lt;prefix&gt; (default MlConnector), clientId=&lt;id&gt; (a user-assigned
/// identity), tlsThumbprint=&lt;SHA-1 or SHA-256&gt; (a pinned certificate, loopback only: the emulator).
/// </summary>
public sealed record StateStoreReference
{
    public const string InvalidId = "StateStoreReferenceInvalid";
    public const string VaultScheme = "vault:";
    private static readonly string[] Options = ["tablePrefix", "clientId", "tlsThumbprint"];

    private StateStoreReference() { }

    public StateStoreKind Kind { get; private init; }

    /// <summary>The SQLite database file (as given; the caller resolves a relative path).</summary>
    public string? Path { get; private init; }

    /// <summary>The table service endpoint (managed identity).</summary>
    public Uri? Endpoint { get; private init; }

    public string? Vault { get; private init; }

    public string? SecretName { get; private init; }

    public string TablePrefix { get; private init; } = TableStateStore.DefaultTablePrefix;

    public string? ClientId { get; private init; }

    public string? TlsThumbprint { get; private init; }

    public bool IsTable => Kind != StateStoreKind.Sqlite;

    public static StateStoreReference Sqlite(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new StateStoreReference { Kind = StateStoreKind.Sqlite, Path = path };
    }

    public static StateStoreReference Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw Invalid("it is empty");
        text = text.Trim();
        // Say that a secret was recognised without repeating it.
        if (text.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase) || text.Contains("SharedAccessSignature=", StringComparison.OrdinalIgnoreCase)
            || text.Contains("sig=", StringComparison.OrdinalIgnoreCase) && text.Contains('?', StringComparison.Ordinal))
        {
            throw Invalid("it holds a secret (an account key or a SAS signature). Keep the connection string or SAS URL in a SecretManagement vault " +
                "(Set-Secret -Name <name> -Vault <vault>) and pass -StateStore 'vault:<vault>/<name>'");
        }
        if (text.StartsWith(VaultScheme, StringComparison.OrdinalIgnoreCase))
        {
            var (body, options) = SplitOptions(text[VaultScheme.Length..]);
            var slash = body.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == body.Length - 1) throw Invalid("the vault form is vault:<vault name>/<secret name>");
            if (options.ContainsKey("clientId")) throw Invalid("clientId is for a managed identity, not for a secret from a vault");
            return WithOptions(new StateStoreReference { Kind = StateStoreKind.TableVaultSecret, Vault = body[..slash], SecretName = body[(slash + 1)..] }, options, null);
        }
        if (text.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            var (body, options) = SplitOptions(text);
            if (!Uri.TryCreate(body, UriKind.Absolute, out var endpoint)) throw Invalid("it is not a valid URL");
            if (endpoint.Scheme != Uri.UriSchemeHttps)
                throw Invalid("a managed identity's token is only sent over https (for the emulator over plain http, keep its connection string in a vault and use vault:<vault>/<name>)");
            TableServiceFactory.RequireTrusted(endpoint);
            return WithOptions(new StateStoreReference { Kind = StateStoreKind.TableManagedIdentity, Endpoint = endpoint }, options, endpoint);
        }
        return Sqlite(text);
    }

    /// <summary>
    /// Opens the store; a vault secret is read through <paramref name="readSecret"/> (vault, secret name). Opened with
    /// <paramref name="create"/> false (to read, or to plan under -WhatIf) nothing is created: a missing SQLite file is an
    /// empty store in memory, a table store's missing tables read as empty.
    /// </summary>
    public IStateStore Open(Func<string, string, SecretText>? readSecret = null, bool create = true) => Kind switch
    {
        StateStoreKind.Sqlite => create || File.Exists(Path) ? SqliteStateStore.Open(Path!) : SqliteStateStore.InMemory(Path!),
        StateStoreKind.TableManagedIdentity => TableStateStore.Open(TableStoreAccount.WithManagedIdentity(Endpoint!, ClientId, TlsThumbprint), TablePrefix, create),
        _ => TableStateStore.Open(TableStoreAccount.WithSecret(
            (readSecret ?? throw new InvalidOperationException("A vault secret needs a secret reader."))(Vault!, SecretName!), TlsThumbprint), TablePrefix, create),
    };

    /// <summary>The reference as it parses back: a path, the endpoint, or vault:&lt;vault&gt;/&lt;secret&gt;, with its options.</summary>
    public override string ToString()
    {
        if (Kind == StateStoreKind.Sqlite) return Path!;
        var text = new StringBuilder(Kind == StateStoreKind.TableVaultSecret ? $"{VaultScheme}{Vault}/{SecretName}" : Endpoint!.GetLeftPart(UriPartial.Path));
        var options = new List<string>();
        if (TablePrefix != TableStateStore.DefaultTablePrefix) options.Add("tablePrefix=" + TablePrefix);
        if (ClientId is not null) options.Add("clientId=" + ClientId);
        if (TlsThumbprint is not null) options.Add("tlsThumbprint=" + TlsThumbprint);
        if (options.Count > 0) text.Append('?').Append(string.Join('&', options));
        return text.ToString();
    }

    private static StateStoreReference WithOptions(StateStoreReference reference, Dictionary<string, string> options, Uri? endpoint)
    {
        var prefix = options.GetValueOrDefault("tablePrefix", TableStateStore.DefaultTablePrefix);
        if (!TableStateStore.IsTablePrefix(prefix)) throw Invalid($"tablePrefix '{prefix}' is not a letter followed by up to 50 letters or digits");
        var thumbprint = options.GetValueOrDefault("tlsThumbprint");
        if (thumbprint is not null && (endpoint is null ? false : !Http.EndpointPolicy.IsLoopback(endpoint)))
            throw Invalid("tlsThumbprint pins the emulator's certificate and is only accepted for a loopback address");
        return reference with { TablePrefix = prefix, ClientId = options.GetValueOrDefault("clientId"), TlsThumbprint = thumbprint };
    }

    private static (string Body, Dictionary<string, string> Options) SplitOptions(string text)
    {
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var question = text.IndexOf('?', StringComparison.Ordinal);
        if (question < 0) return (text, options);
        foreach (var pair in text[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            var known = Options.FirstOrDefault(o => string.Equals(o, name, StringComparison.OrdinalIgnoreCase))
                ?? throw Invalid($"'{name}' is not an option; the options are {string.Join(", ", Options)}");
            if (equals < 0 || equals == pair.Length - 1) throw Invalid($"{known} needs a value");
            options[known] = Uri.UnescapeDataString(pair[(equals + 1)..]);
        }
        return (text[..question], options);
    }

    private static MlConnectorException Invalid(string why) => new(InvalidId, MlErrorCategory.InvalidConfiguration,
        $"The state store reference cannot be used: {why}. Give a SQLite file path, https://<account>.table.core.windows.net (the Automation managed identity), " +
        "or vault:<vault>/<secret> (a connection string or SAS URL in a SecretManagement vault).");
}
