using MlConnector.Engine.Security;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Tests.State;

/// <summary>
/// What -StateStore says when it cannot use a reference, the option forms at their edges, and what a SQLite reference
/// opens to read or to write. The table forms against a real table service are in Azurite/TableStoreReferenceTests.
/// </summary>
public sealed class StateStoreReferenceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-ref-").FullName;

    private string DbPath => Path.Combine(_folder, "state.db");

    private static string Refusal(string text)
    {
        var error = Assert.Throws<MlConnectorException>(() => StateStoreReference.Parse(text));
        Assert.Equal(StateStoreReference.InvalidId, error.ErrorId);
        return error.Message;
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("  ", "it is empty")]
    [InlineData("vault:MlVault", "the vault form is vault:<vault name>/<secret name>")]
    [InlineData("vault:/mlc-storage", "the vault form is vault:<vault name>/<secret name>")]
    [InlineData("vault:MlVault/", "the vault form is vault:<vault name>/<secret name>")]
    [InlineData("vault:MlVault/mlc-storage?clientId=x", "clientId is for a managed identity, not for a secret from a vault")]
    [InlineData("https://", "it is not a valid URL")]
    [InlineData("http://contoso.table.core.windows.net/", "a managed identity's token is only sent over https")]
    [InlineData("https://contoso.table.core.windows.net/?tlsThumbprint=ABCD", "tlsThumbprint pins the emulator's certificate and is only accepted for a loopback address")]
    [InlineData("https://contoso.table.core.windows.net/?tablePrefix=1abc", "tablePrefix '1abc' is not a letter followed by up to 50 letters or digits")]
    [InlineData("https://contoso.table.core.windows.net/?table=x", "'table' is not an option; the options are tablePrefix, clientId, tlsThumbprint")]
    [InlineData("https://contoso.table.core.windows.net/?tablePrefix", "tablePrefix needs a value")]
    [InlineData("https://contoso.table.core.windows.net/?clientId=", "clientId needs a value")]
    [InlineData("vault:?MlVault/mlc-storage", "'MlVault/mlc-storage' is not an option")]
    public void A_reference_that_cannot_be_used_says_why_and_what_the_forms_are(string text, string why)
    {
        var message = Refusal(text);

        Assert.StartsWith("The state store reference cannot be used: " + why, message, StringComparison.Ordinal);
        Assert.EndsWith(". Give a SQLite file path, https://<account>.table.core.windows.net (the Automation managed identity), "
            + "or vault:<vault>/<secret> (a connection string or SAS URL in a SecretManagement vault).", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_holding_a_secret_says_how_to_keep_it_in_a_vault_instead()
        => Assert.Contains("it holds a secret (an account key or a SAS signature). Keep the connection string or SAS URL in a SecretManagement vault "
            + "(Set-Secret -Name <name> -Vault <vault>) and pass -StateStore 'vault:<vault>/<name>'", Refusal("AccountName=a;AccountKey=c2VjcmV0"), StringComparison.Ordinal);

    [Theory]
    [InlineData("vault:MlVault/mlc-storage?tlsThumbprint=AB12", StateStoreKind.TableVaultSecret)]
    [InlineData("https://127.0.0.1:10002/devstoreaccount1?tablePrefix=Ml2&tlsThumbprint=AB12", StateStoreKind.TableManagedIdentity)]
    public void A_pinned_certificate_is_kept_for_a_vault_secret_or_a_loopback_endpoint_and_reads_back(string text, StateStoreKind kind)
    {
        var reference = StateStoreReference.Parse(text);

        Assert.Equal((kind, "AB12", true), (reference.Kind, reference.TlsThumbprint, reference.IsTable));
        Assert.Equal(text, reference.ToString());
    }

    [Fact]
    public void A_path_is_a_sqlite_reference_and_a_blank_one_is_refused()
    {
        var reference = StateStoreReference.Sqlite(DbPath);

        Assert.Equal((StateStoreKind.Sqlite, DbPath, false), (reference.Kind, reference.Path, reference.IsTable));
        Assert.Throws<ArgumentException>(() => StateStoreReference.Sqlite(" "));
    }

    [Fact]
    public void A_sqlite_reference_opened_to_read_creates_no_file_and_opened_to_write_creates_it()
    {
        var reference = StateStoreReference.Sqlite(DbPath);

        using (var reader = reference.Open(create: false)) Assert.Empty(reader.Pairs());
        Assert.False(File.Exists(DbPath));

        using (var writer = reference.Open())
        {
            Assert.True(writer.Created);
            writer.RegisterPair(new SyncPair(SyncPairKey.Create("t", "prod", Guid.NewGuid(), "111-AAA-111"), "CRONUS", "", DateTimeOffset.UtcNow));
        }
        Assert.True(File.Exists(DbPath));

        using var existing = reference.Open(create: false);
        Assert.Equal("CRONUS", Assert.Single(existing.Pairs()).BcCompanyName);
    }

    [Fact]
    public void A_vault_reference_cannot_be_opened_without_a_way_to_read_its_secret()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StateStoreReference.Parse("vault:MlVault/mlc-storage").Open());
        Assert.Contains("secret reader", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vault_reference_opens_with_the_secret_its_reader_returns_for_that_vault_and_name()
    {
        var asked = new List<(string, string)>();
        var error = Assert.Throws<MlConnectorException>(() => StateStoreReference.Parse("vault:MlVault/mlc-storage").Open((vault, name) =>
        {
            asked.Add((vault, name));
            return new SecretText("not-a-connection-string");
        }));

        Assert.Equal([("MlVault", "mlc-storage")], asked);
        Assert.Equal(Engine.Cloud.TableServiceFactory.SecretUnusableId, error.ErrorId);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
