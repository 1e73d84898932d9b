using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;

namespace MlConnector.Engine.Tests.State;

/// <summary>A state file that is no SQLite database is refused as the store being unavailable, naming the file and why.</summary>
public sealed class SqliteStoreDamagedFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-damaged-").FullName;

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_as_a_state_store_that_could_not_be_opened()
    {
        var path = Path.Combine(_folder, "damaged.db");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("not a database ", 400)));

        var error = Assert.Throws<StateStoreException>(() => SqliteStateStore.Open(path));

        Assert.StartsWith($"The state database '{path}' could not be opened: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("file is not a database", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
