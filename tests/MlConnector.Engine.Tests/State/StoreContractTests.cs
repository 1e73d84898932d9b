using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Tests.Azurite;
using Xunit.Abstractions;

namespace MlConnector.Engine.Tests.State;

/// <summary>The store contract on SQLite: one database file per test.</summary>
public sealed class SqliteStoreContractTests(ITestOutputHelper output) : StateStoreContract(output), IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-state-").FullName;

    protected override IStateStore Open() => SqliteStateStore.Open(Path.Combine(_folder, "state.db"));

    protected override string[] RunnerStore() => ["--sqlite", Path.Combine(_folder, "state.db")];

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The store contract on Azure Table Storage (Azurite): tables of its own per test, one emulator for all.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableStoreContractTests(AzuriteFixture azurite, ITestOutputHelper output) : StateStoreContract(output)
{
    private readonly string _prefix = azurite.NewTableName("c");

    protected override IStateStore Open() => TableStateStore.Open(azurite.Account, _prefix);

    // The emulator's published development account: not a secret.
    protected override string[] RunnerStore() => ["--table-connection", azurite.Server.ConnectionString, "--table-prefix", _prefix];
}
