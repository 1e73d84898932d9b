namespace MlConnector.Sandbox.Tests;

/// <summary>
/// The sandbox carries copies of the vendor contracts in src/MlConnector.Sandbox/Specs so a fresh clone
/// builds and tests on its own; where the team's shared/specs sits beside the clone (CI), the copies
/// must be byte-for-byte the same.
/// </summary>
public sealed class SpecsCopyTests
{
    public static TheoryData<string> Files() => new()
    {
        "business-central/bc-api-v2.0-metadata.edmx.xml",
        "marketo/swagger-mapi.json",
        "marketo/swagger-identity.json",
        "marketo/LICENSE-Apache-2.0.txt",
        "marketo/COPYRIGHT.txt",
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Vendored_spec_matches_shared_specs(string relative)
    {
        var vendored = Path.Combine(RepoPaths.Specs, relative);
        Assert.True(File.Exists(vendored), vendored + " is missing");
        var shared = Path.Combine(RepoPaths.Root, "..", "shared", "specs", relative);
        if (!File.Exists(shared)) return; // a clone without shared/ beside it: the copy is the contract
        Assert.Equal(File.ReadAllBytes(shared), File.ReadAllBytes(vendored));
    }
}
