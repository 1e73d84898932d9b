using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync.BcToMarketo;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>Which contact keeps a lead when several hold its email: the lowest contact number (ordinal).</summary>
public sealed class EmailOwnersTests
{
    private const string Email = "shared@example.com";
    private static readonly IReadOnlyDictionary<string, ulong?> NoneHeld = new Dictionary<string, ulong?>();

    private static MarketoRecord Lead(string contact, string email = Email)
        => new(MarketoRecord.Lead, "Contact", contact, email, new Dictionary<string, object?>(), "h");

    [Theory]
    [InlineData("no-at-sign")]
    [InlineData("")]
    [InlineData(null)]
    public void An_address_that_cannot_be_a_lead_key_has_no_key(string? email)
        => Assert.Null(EmailOwners.Key(email));

    [Fact]
    public void Addresses_differing_only_in_case_and_spaces_share_a_key()
        => Assert.Equal(EmailOwners.Key(Email), EmailOwners.Key(" Shared@Example.COM "));

    [Fact]
    public void A_lower_number_claiming_later_takes_the_lead_and_keeps_it_against_a_third()
    {
        var owners = new EmailOwners();

        Assert.Equal("CT2", owners.Claim(Lead("CT2"), null, NoneHeld)!.Winner);
        Assert.Equal("CT1", owners.Claim(Lead("CT1"), null, NoneHeld)!.Winner);
        Assert.Equal("CT1", owners.Claim(Lead("CT3"), null, NoneHeld)!.Winner);
        Assert.Equal("CT1", owners.OwnerInRun(Email));
    }

    [Fact]
    public void A_higher_number_claiming_later_leaves_the_lead_to_the_first()
    {
        var owners = new EmailOwners();

        owners.Claim(Lead("CT1"), null, NoneHeld);

        Assert.Equal("CT1", owners.Claim(Lead("CT2"), null, NoneHeld)!.Winner);
        Assert.Equal("CT1", owners.OwnerInRun(Email));
    }

    [Fact]
    public void A_recorded_lower_owner_still_holding_the_address_keeps_the_lead_in_this_run()
    {
        var owners = new EmailOwners();
        var state = new RecordState("Lead:" + Email, "CT1", "h", "1", DateTimeOffset.UnixEpoch);
        var holds = new Dictionary<string, ulong?> { ["CT1"] = EmailOwners.Key(Email) };

        Assert.Equal("CT1", owners.Claim(Lead("CT2"), state, holds)!.Winner);
        Assert.Equal("CT1", owners.OwnerInRun(Email));
    }

    [Fact]
    public void A_recorded_owner_bc_has_not_answered_for_leaves_the_claim_open()
    {
        var owners = new EmailOwners();
        var state = new RecordState("Lead:" + Email, "CT1", "h", "1", DateTimeOffset.UnixEpoch);

        Assert.Null(owners.Claim(Lead("CT2"), state, NoneHeld));
        Assert.Null(owners.OwnerInRun(Email));
    }
}
