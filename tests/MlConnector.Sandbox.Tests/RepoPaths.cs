namespace MlConnector.Sandbox.Tests;

/// <summary>Paths in the repository the tests run from (found upwards from the test binaries).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The vendor contracts the sandbox carries (src/MlConnector.Sandbox/Specs).</summary>
    public static string Specs => Path.Combine(Root, "src", "MlConnector.Sandbox", "Specs");

    /// <summary>The team's shared/specs, beside the clone (present in CI, absent in a bare clone or a worktree).</summary>
    public static string SharedSpecs => Path.Combine(Root, "..", "shared", "specs");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }
}
