namespace MlConnector.Engine.Tests.Security;

/// <summary>A fact about Unix file modes; skipped on Windows, where the files inherit the user profile's ACL instead.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "Windows has no Unix file modes: the home folder lives under the user's profile and inherits its ACL.";
    }
}
