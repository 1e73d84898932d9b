using MlConnector.Engine.State;

namespace MlConnector.Engine.Tests.State;

/// <summary>How a sync pair's key and a subscription's clientState location are given and shown (the pair id itself: StateStoreTests).</summary>
public sealed class PairIdentityTests
{
    private static readonly Guid Company = Guid.Parse("00000000-0000-0000-0000-0000000000a1");

    [Theory]
    [InlineData(" ", "Production", "111-AAA-111")]
    [InlineData("tenant-a", "", "111-AAA-111")]
    [InlineData("tenant-a", "Production", " ")]
    public void A_pair_key_with_a_blank_part_is_refused(string tenant, string environment, string marketo)
        => Assert.Throws<ArgumentException>(() => SyncPairKey.Create(tenant, environment, Company, marketo));

    [Fact]
    public void A_pair_key_shows_its_normalised_parts()
        => Assert.Equal("tenant-a/production/00000000-0000-0000-0000-0000000000a1 <-> 111-AAA-111",
            SyncPairKey.Create(" Tenant-A ", "Production", Company, "111-aaa-111").ToString());

    [Theory]
    [InlineData("CorpVault", "MlConnector-BcClientState-1", true, "vault:CorpVault/MlConnector-BcClientState-1")]
    [InlineData(null, "MlConnector-BcClientState-1", true, "vault:(default)/MlConnector-BcClientState-1")]
    [InlineData(null, null, false, "caller")]
    public void A_client_state_location_names_its_vault_and_secret_or_the_caller(string? vault, string? secret, bool inVault, string shown)
    {
        var location = new ClientStateLocation(vault, secret);
        Assert.Equal((inVault, shown), (location.InVault, location.ToString()));
    }
}
