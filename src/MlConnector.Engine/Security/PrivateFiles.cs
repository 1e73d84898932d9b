namespace MlConnector.Engine.Security;

/// <summary>
/// Folders and files that hold personal data — the state database, the audit trail, connection profiles. On Linux
/// and macOS folders this creates are 0700 and files 0600, and a file found readable by group or others is narrowed
/// to its owner. On Windows they live under the user's profile and keep the ACL they inherit from it.
/// </summary>
public static class PrivateFiles
{
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="path"/> and any missing parent, each 0700 (an existing folder keeps its mode).</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        // Directory.CreateDirectory(path, mode) gives the mode to the last folder only; missing parents get the umask's.
        var missing = new Stack<string>();
        for (var folder = Path.GetFullPath(path); !string.IsNullOrEmpty(folder) && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
            missing.Push(folder);
        while (missing.TryPop(out var folder)) Directory.CreateDirectory(folder, OwnerFolder);
    }

    /// <summary>Options that create the file 0600 when it does not exist yet.</summary>
    public static FileStreamOptions Options(FileMode mode, FileAccess access, FileShare share, int bufferSize = 4096)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows() && mode != FileMode.Open && mode != FileMode.Truncate) options.UnixCreateMode = OwnerFile;
        return options;
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to a file that is 0600 whether it is new or was there before.</summary>
    public static void WriteAllText(string path, string text)
    {
        Restrict(path);
        using var stream = new FileStream(path, Options(FileMode.Create, FileAccess.Write, FileShare.None));
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    /// <summary>
    /// Takes group and other permissions off each existing file (files that do not exist are skipped). Best effort:
    /// a file another account owns cannot be changed and is left as it is.
    /// </summary>
    public static void Restrict(params string[] files)
    {
        if (OperatingSystem.IsWindows()) return;
        foreach (var file in files)
        {
            try
            {
                if (!File.Exists(file)) continue;
                var mode = File.GetUnixFileMode(file);
                if ((mode & Others) != 0) File.SetUnixFileMode(file, mode & ~Others);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                // Owned by someone else, or gone in between: nothing this process may change.
            }
        }
    }
}
