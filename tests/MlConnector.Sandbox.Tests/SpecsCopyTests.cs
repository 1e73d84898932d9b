namespace MlConnector.Sandbox.Tests;

/// <summary>
/// The sandbox carries copies of the vendor contracts in src/MlConnector.Sandbox/Specs so a fresh clone
/// builds and tests on its own; where the team's shared/specs sits beside the clone (CI), the copies
/// must be byte-for-byte the same. Without shared/ the comparison reports Skipped with the reason, except in
/// CI (CI=true), which always has shared/ beside its clone: there a missing shared/ fails the comparison.
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
    public void Vendored_spec_is_in_the_repository(string relative)
    {
        var vendored = Path.Combine(RepoPaths.Specs, relative);
        Assert.True(File.Exists(vendored), vendored + " is missing");
        Assert.NotEqual(0, new FileInfo(vendored).Length);
    }

    [SharedSpecsTheory]
    [MemberData(nameof(Files))]
    public void Vendored_spec_matches_shared_specs(string relative)
    {
        var shared = Path.Combine(RepoPaths.SharedSpecs, relative);
        Assert.True(File.Exists(shared), shared + " is missing from shared/specs");
        Assert.Equal(File.ReadAllBytes(shared), File.ReadAllBytes(Path.Combine(RepoPaths.Specs, relative)));
    }
}

/// <summary>A theory that needs the team's shared/specs beside the clone; skipped with the reason where it is absent, never in CI.</summary>
public sealed class SharedSpecsTheoryAttribute : TheoryAttribute
{
    public SharedSpecsTheoryAttribute()
    {
        var inCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!inCi && !Directory.Exists(RepoPaths.SharedSpecs))
            Skip = $"shared/specs is not beside this clone ({Path.GetFullPath(RepoPaths.SharedSpecs)}), so the vendored copies are the contract here; CI (CI=true) has it and runs this comparison.";
    }
}
