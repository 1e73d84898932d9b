using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Sqlite;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Tests.BusinessCentral;
using Microsoft.Extensions.Time.Testing;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// <see cref="SyncPairs"/> on its own over a fresh SQLite store: which state a run would use, what registering a pair
/// says, and the company key prefix check with the refusal it gives.
/// </summary>
public sealed class SyncPairsTests : IDisposable
{
    private const string Marketo = "111-AAA-111";
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);
    private static readonly SyncPairKey Ours = SyncPairKey.Create("tenant", "Production", Guid.NewGuid(), Marketo);
    private static readonly SyncPairKey Theirs = SyncPairKey.Create("tenant", "Production", Guid.NewGuid(), Marketo);
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-pairs-").FullName;
    private readonly SqliteStateStore _store;

    public SyncPairsTests() => _store = SqliteStateStore.Open(Path.Combine(_folder, "state.db"));

    private void WriteUnclaimedState() => _store.Pair(SyncPairKey.Unclaimed).Checkpoints.Advance(SyncCheckpoints.Customers, T0, T0);

    private void RegisterTheirs(string? name, string prefix) => _store.RegisterPair(new SyncPair(Theirs, name, prefix, T0));

    private MlConnectorException Refused(string? name, string? prefix)
        => Assert.Throws<MlConnectorException>(() => SyncPairs.CheckCompanyKeys(_store, Ours, name, prefix));

    [Fact]
    public void Peek_gives_a_new_pair_the_unclaimed_state_and_a_known_pair_or_a_store_without_unclaimed_state_its_own()
    {
        Assert.Equal(Ours.PairId, SyncPairs.Peek(_store, Ours).PairId);
        WriteUnclaimedState();
        Assert.Equal(SyncPairKey.Unclaimed, SyncPairs.Peek(_store, Ours).PairId);

        _store.RegisterPair(new SyncPair(Theirs, "Theirs", "", T0));
        WriteUnclaimedState();
        Assert.Equal(Theirs.PairId, SyncPairs.Peek(_store, Theirs).PairId);
        Assert.Equal(SyncPairKey.Unclaimed, SyncPairs.Peek(_store, Ours).PairId);
    }

    [Fact]
    public void Register_says_verbosely_that_a_new_pair_starts_from_nothing_and_nothing_when_it_registers_again()
    {
        var log = new TestLog();
        SyncPairs.Register(_store, Ours, "Ours", "A-", new FakeTimeProvider(T0), log);
        Assert.Equal($"VERBOSE A new sync pair {Ours.PairId} ({Ours}): it starts from nothing, so every record is read and sent.", Assert.Single(log.Lines));

        SyncPairs.Register(_store, Ours, "Ours", "A-", new FakeTimeProvider(T0), log);
        Assert.Single(log.Lines);
    }

    [Fact]
    public void Register_warns_when_the_new_pair_adopts_unclaimed_state()
    {
        WriteUnclaimedState();
        var log = new TestLog();

        SyncPairs.Register(_store, Ours, "Ours", "A-", new FakeTimeProvider(T0), log);

        Assert.StartsWith($"WARNING {EngineWarnings.UnclaimedStateAdopted} The state database held state written before sync pairs (1 checkpoint, record and job rows)",
            Assert.Single(log.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_arguments_are_refused_by_name()
    {
        Assert.Equal("bc", Assert.Throws<ArgumentNullException>(() => SyncPairs.KeyOf(null!, null!)).ParamName);
        Assert.Equal("store", Assert.Throws<ArgumentNullException>(() => SyncPairs.Peek(null!, Ours)).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => SyncPairs.Peek(_store, null!)).ParamName);
        Assert.Equal("store", Assert.Throws<ArgumentNullException>(() => SyncPairs.CheckCompanyKeys(null!, Ours, "Ours", "A-")).ParamName);
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => SyncPairs.CheckCompanyKeys(_store, null!, "Ours", "A-")).ParamName);
    }

    [Fact]
    public void Different_prefixes_pass_and_the_pair_itself_or_another_marketo_instance_never_collides()
    {
        RegisterTheirs("Theirs", "B-");
        SyncPairs.CheckCompanyKeys(_store, Ours, "Ours", "A-");
        SyncPairs.CheckCompanyKeys(_store, Theirs, "Theirs", "");
        SyncPairs.CheckCompanyKeys(_store, SyncPairKey.Create("tenant", "Production", Guid.NewGuid(), "222-BBB-222"), "Elsewhere", "");
    }

    [Fact]
    public void Without_a_prefix_beside_a_prefixed_company_the_refusal_names_both_companies_and_their_prefixes()
    {
        RegisterTheirs("Theirs", "B-");

        var refused = Refused("Ours", null);

        Assert.Equal(SyncPairs.CompanyKeyPrefixRequired, refused.ErrorId);
        Assert.Equal(MlErrorCategory.InvalidConfiguration, refused.Category);
        Assert.Equal(
            $"Business Central company 'Ours' would sync into Marketo {Marketo} with no prefix, but company 'Theirs' (sync pair {Theirs.PairId}) already syncs there " +
            "with company key prefix 'B-': customer numbers repeat across companies, so both would write the same Marketo companies. Give each company its own " +
            "prefix: Connect-MlBusinessCentral ... -CompanyKeyPrefix <prefix> (with -SaveProfile to keep it), for this company and, if it has none, for 'Theirs' " +
            "too — run that company once with its prefix before this one (its customers are then sent again under the prefixed keys). Nothing was written.",
            refused.Message);
    }

    [Fact]
    public void The_same_prefix_in_another_case_beside_an_unnamed_company_is_refused_naming_the_companies_by_id()
    {
        RegisterTheirs(null, "B-");

        var refused = Refused(null, "b-");

        Assert.StartsWith($"Business Central company '{Ours.BcCompanyId:D}' would sync into Marketo {Marketo} with the same prefix 'b-', but company " +
            $"'{Theirs.BcCompanyId:D}' (sync pair {Theirs.PairId}) already syncs there with company key prefix 'B-': ", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_prefix_beside_a_company_without_one_is_refused_saying_it_has_none()
    {
        RegisterTheirs("Theirs", "");

        Assert.Contains("with the same prefix 'A-', but company 'Theirs' (sync pair " + Theirs.PairId + ") already syncs there with no company key prefix: ",
            Refused("Ours", "A-").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_open_that_created_the_store_reports_it()
    {
        var audit = new MlConnector.Engine.Audit.AuditLog(Path.Combine(_folder, "audit"));
        var log = new TestLog();

        SyncPairs.ReportCreatedStore(_store, audit, log);
        Assert.StartsWith("VERBOSE A new state database at ", Assert.Single(log.Lines), StringComparison.Ordinal);

        using var reopened = SqliteStateStore.Open(Path.Combine(_folder, "state.db"));
        SyncPairs.ReportCreatedStore(reopened, audit, log);
        Assert.Single(log.Lines);
    }

    public void Dispose()
    {
        _store.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
