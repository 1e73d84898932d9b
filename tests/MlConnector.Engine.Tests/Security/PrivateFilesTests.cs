using MlConnector.Engine.Audit;
using MlConnector.Engine.Connections;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;

namespace MlConnector.Engine.Tests.Security;

/// <summary>
/// Personal data on disk: the home's folders are created 0700 and the state database (with its -wal and -shm),
/// the audit files and the profiles 0600; files an older version left readable by others are narrowed on next use.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesTests : IDisposable
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode File0644 = File0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private static readonly DateTimeOffset Day = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    private readonly string _root = Directory.CreateTempSubdirectory("mlc-modes-").FullName;

    private string Home => Path.Combine(_root, "home");

    [UnixFact]
    public void The_home_folders_are_0700_and_the_state_audit_and_profile_files_0600()
    {
        var database = Path.Combine(Home, "state", "mlconnector.db");
        using (var store = SqliteStateStore.Open(database))
        {
            store.Pair("pair-test").Checkpoints.Advance("customers", Day, Day);
            Assert.True(File.Exists(database + "-wal"), "a write in WAL mode leaves a -wal file while the store is open");
            Assert.Equal(File0600, File.GetUnixFileMode(database));
            Assert.Equal(File0600, File.GetUnixFileMode(database + "-wal"));
            Assert.Equal(File0600, File.GetUnixFileMode(database + "-shm"));
        }
        var audit = new AuditLog(Path.Combine(Home, "audit"));
        audit.Append(Record());
        var profiles = new ConnectionProfileStore(Home);
        var profile = profiles.Save("prod", p => p.Marketo = new MarketoProfile { MunchkinId = "123-ABC-456", ClientId = "c", Vault = "v", SecretName = "s" });

        foreach (var folder in new[] { Home, Path.Combine(Home, "state"), Path.Combine(Home, "audit"), profiles.Folder })
            Assert.Equal(Folder, File.GetUnixFileMode(folder));
        Assert.Equal(File0600, File.GetUnixFileMode(database));
        Assert.Equal(File0600, File.GetUnixFileMode(audit.PathFor(Day)));
        Assert.Equal(File0600, File.GetUnixFileMode(profile));
    }

    [UnixFact]
    public void Files_an_older_version_left_readable_by_others_are_narrowed_on_next_use()
    {
        var database = Path.Combine(Home, "state", "mlconnector.db");
        SqliteStateStore.Open(database).Dispose();
        var audit = new AuditLog(Path.Combine(Home, "audit"));
        audit.Append(Record());
        var profiles = new ConnectionProfileStore(Home);
        var profile = profiles.Save("prod", p => p.Marketo = new MarketoProfile { MunchkinId = "123-ABC-456", ClientId = "c", Vault = "v", SecretName = "s" });
        foreach (var file in new[] { database, audit.PathFor(Day), profile, profile + ".tmp" })
        {
            if (!File.Exists(file)) File.WriteAllText(file, "");
            File.SetUnixFileMode(file, File0644);
        }

        SqliteStateStore.Open(database).Dispose();
        audit.Append(Record());
        profiles.Save("prod", p => p.Marketo!.ClientId = "d");

        Assert.Equal(File0600, File.GetUnixFileMode(database));
        Assert.Equal(File0600, File.GetUnixFileMode(audit.PathFor(Day)));
        Assert.Equal(File0600, File.GetUnixFileMode(profile));
        Assert.Equal(2, new AuditLogReader(audit.Folder).Read(new AuditQuery()).Count());
    }

    private static AuditRecord Record() => new()
    {
        Time = Day, CorrelationId = "run", Direction = "BcToMarketo", SourceType = "Customer", SourceNumber = "C1",
        TargetType = "Company", Action = "Created",
    };

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
