namespace MlConnector.Module.Tests;

/// <summary>Where the built module is: $MLCONNECTOR_MODULE, else out/MlConnector above the test binaries.</summary>
internal static class BuiltModule
{
    public static string Folder
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("MLCONNECTOR_MODULE");
            if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "out", "MlConnector");
                if (File.Exists(Path.Combine(candidate, "MlConnector.psd1"))) return candidate;
            }
            throw new InvalidOperationException("The built module was not found: run 'dotnet pwsh ./build.ps1 Build' first.");
        }
    }

    public static string Manifest => Path.Combine(Folder, "MlConnector.psd1");
}
