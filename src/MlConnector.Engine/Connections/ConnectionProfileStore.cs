using System.Text.Json;
using System.Text.RegularExpressions;
using MlConnector.Engine.Security;

namespace MlConnector.Engine.Connections;

/// <summary>
/// Reads and writes connection profiles as JSON files under &lt;home&gt;/profiles, where home is
/// $MLCONNECTOR_HOME or a per-user folder (%APPDATA%\MlConnector, ~/.mlconnector). Profiles hold no secrets.
/// </summary>
public sealed partial class ConnectionProfileStore
{
    public const string HomeVariable = "MLCONNECTOR_HOME";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public ConnectionProfileStore(string home)
    {
        ArgumentException.ThrowIfNullOrEmpty(home);
        Home = home;
    }

    public string Home { get; }

    public string Folder => Path.Combine(Home, "profiles");

    public static ConnectionProfileStore ForCurrentUser() => new(DefaultHome());

    public static string DefaultHome()
    {
        var configured = Environment.GetEnvironmentVariable(HomeVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        return OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "MlConnector")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".mlconnector");
    }

    public string PathOf(string name) => Path.Combine(Folder, ValidName(name) + ".json");

    /// <summary>The profile, or null when none is saved under that name.</summary>
    public ConnectionProfile? Find(string name)
    {
        var path = PathOf(name);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ConnectionProfile>(File.ReadAllText(path), Json)
                ?? throw new JsonException("The file is empty.");
        }
        catch (JsonException e)
        {
            throw new MlConnectorException("ProfileUnreadable", MlErrorCategory.InvalidConfiguration,
                $"The connection profile '{name}' at '{path}' could not be read ({e.Message}). Save it again with -SaveProfile.", e);
        }
    }

    public ConnectionProfile Get(string name) => Find(name)
        ?? throw new MlConnectorException("ProfileNotFound", MlErrorCategory.NotFound,
            $"No connection profile named '{name}' in '{Folder}'. Save one with Connect-MlBusinessCentral/Connect-MlMarketo ... -SaveProfile {name}, or set ${HomeVariable} to the folder that holds it.");

    /// <summary>The names of the saved profiles, sorted; none when the folder does not exist yet.</summary>
    public IReadOnlyList<string> Names()
    {
        if (!Directory.Exists(Folder)) return [];
        return Directory.EnumerateFiles(Folder, "*.json")
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Where(n => NamePattern().IsMatch(n))
            .OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
            .ToArray();
    }

    /// <summary>Saves one service's part of a profile, keeping the other service's part if the profile exists.</summary>
    public string Save(string name, Action<ConnectionProfile> update)
    {
        var profile = Find(name) ?? new ConnectionProfile();
        profile.Name = name;
        update(profile);
        PrivateFiles.CreateDirectory(Folder);
        var path = PathOf(name);
        var temporary = path + ".tmp";
        PrivateFiles.WriteAllText(temporary, JsonSerializer.Serialize(profile, Json));
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    private static string ValidName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || !NamePattern().IsMatch(name))
            throw new MlConnectorException("ProfileNameInvalid", MlErrorCategory.InvalidConfiguration,
                $"'{name}' is not a valid profile name: use letters, digits, '.', '_' or '-'.");
        return name;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}
