using Microsoft.Extensions.Time.Testing;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;
using MlConnector.Engine.Tests.BusinessCentral;

namespace MlConnector.Engine.Tests.Notifications;

/// <summary>How the endpoint's view of the store's subscriptions follows registrations, and how far unknown ids can make it read.</summary>
public sealed class StoredSubscriptionsTests
{
    private static readonly Guid Company = Guid.Parse("7dbba574-0000-0000-0000-000000000001");
    private static readonly ClientStateLocation Vaulted = new("TestVault", "MlConnector-BcClientState-pair-a");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
    private readonly List<PairSubscription> _stored = new();
    private int _reads;

    private StoredSubscriptions Known(Func<ClientStateLocation, SecretText?>? clientStateOf = null, TestLog? log = null)
        => new(() => { _reads++; return _stored.ToArray(); }, clientStateOf ?? (l => l == Vaulted ? new SecretText("state-a") : null), _time, log ?? new TestLog());

    private void Store(string id, ClientStateLocation? location = null) => _stored.Add(new PairSubscription("pair-a",
        new SubscriptionRecord(id, "customers", $"/api/v2.0/companies({Company})/customers", "https://hooks.example/bc", _time.GetUtcNow().AddDays(3), null,
            location ?? Vaulted, _time.GetUtcNow(), _time.GetUtcNow())));

    [Fact]
    public void A_subscription_stored_after_the_endpoint_started_is_found_at_its_first_notification()
    {
        var known = Known();
        Store("registered-later");

        var found = known.Find("registered-later");

        Assert.NotNull(found);
        Assert.Equal(("pair-a", Company, "customers"), (found.PairId, found.CompanyId, found.EntitySet));
    }

    [Fact]
    public void Unknown_ids_read_the_store_at_most_once_a_second_each_and_ten_times_a_second_in_all()
    {
        var known = Known();
        var before = _reads;

        for (var i = 0; i < 5; i++) Assert.Null(known.Find("forged"));
        Assert.Equal(before + 1, _reads);
        for (var i = 0; i < 50; i++) Assert.Null(known.Find("forged-" + i));
        Assert.Equal(before + 10, _reads);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(known.Find("forged"));
        Assert.Equal(before + 11, _reads);
    }

    [Fact]
    public void A_subscription_without_its_client_state_is_left_out_with_one_warning()
    {
        var log = new TestLog();
        Store("kept-by-caller", ClientStateLocation.Caller);
        var known = Known(log: log);

        Assert.Null(known.Find("kept-by-caller"));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(known.Find("kept-by-caller"));
        Assert.Single(log.Lines, l => l.StartsWith("WARNING ClientStateUnavailable", StringComparison.Ordinal));
        Assert.Equal(0, known.Count);
    }
}
