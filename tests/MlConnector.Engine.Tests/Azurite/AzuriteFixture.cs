namespace MlConnector.Engine.Tests.Azurite;

/// <summary>One azurite-table for every test class in the Azurite collection; each test works in tables of its own.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private int _tables;

    public AzuriteServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AzuriteServer.StartAsync();

    /// <summary>A table name no other test in this run uses (letters and digits, as Table Storage requires).</summary>
    public string NewTableName(string prefix) => prefix + Interlocked.Increment(ref _tables).ToString(System.Globalization.CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The emulator's account, by its key, as a table state store takes it.</summary>
    public MlConnector.Engine.Cloud.TableStoreAccount Account =>
        MlConnector.Engine.Cloud.TableStoreAccount.WithSecret(new MlConnector.Engine.Security.SecretText(Server.ConnectionString));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

/// <summary>One azurite-table over HTTPS with --oauth basic (bearer tokens checked) for the tests of the managed identity.</summary>
public sealed class AzuriteOAuthFixture : IAsyncLifetime
{
    private int _tables;

    public AzuriteServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AzuriteServer.StartAsync(httpsWithOAuth: true);

    public string NewTableName(string prefix) => prefix + Interlocked.Increment(ref _tables).ToString(System.Globalization.CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..8];

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class AzuriteOAuthCollection : ICollectionFixture<AzuriteOAuthFixture>
{
    public const string Name = "Azurite over HTTPS with OAuth";
}
