using System.Diagnostics;

namespace MlConnector.Engine.Tests;

/// <summary>The SyncRunner test program built next to this test assembly (the test project references it for the build order only), run as a child process.</summary>
internal static class SyncRunnerProcess
{
    public static string Path()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var root = here;
        while (root is not null && !File.Exists(System.IO.Path.Combine(root.FullName, "MlConnector.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var runner = System.IO.Path.Combine(root.FullName, "tests", "MlConnector.SyncRunner", "bin", configuration, framework, "MlConnector.SyncRunner.dll");
        Assert.True(File.Exists(runner), $"The sync runner was not built at {runner}.");
        return runner;
    }

    /// <summary>Starts the runner with <paramref name="arguments"/>, stdout and stderr read in the background.</summary>
    public static (Process Process, Task<string> Output, Task<string> Error) Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path());
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        var process = Process.Start(info)!;
        return (process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }
}
