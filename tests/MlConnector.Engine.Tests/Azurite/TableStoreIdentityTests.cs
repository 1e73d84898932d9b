using MlConnector.Engine.Cloud;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;
using MlConnector.Sandbox;
using MlConnector.Sandbox.Core;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// The table store signed in with the Automation account's managed identity: tokens from the sandbox's identity
/// endpoint (IDENTITY_ENDPOINT with the IDENTITY_HEADER check), sent as bearer tokens over HTTPS to Azurite, which
/// checks their shape, issuer, audience and lifetime (not the signature; docs/sandbox.md). A token is renewed before it
/// expires; a refused identity is a clear error that shows neither the header nor a token.
/// </summary>
[Collection(AzuriteOAuthCollection.Name)]
public sealed class TableStoreIdentityTests(AzuriteOAuthFixture azurite) : IAsyncLifetime
{
    private static readonly SyncPairKey Pair = SyncPairKey.Create("tenant", "Production", Guid.NewGuid(), "111-AAA-111");
    private SandboxHost _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await SandboxHost.StartAsync(new SandboxOptions { Customers = 1 });

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private TableStoreAccount Account(string? header = null) => TableStoreAccount.WithIdentityEndpoint(azurite.Server.TableEndpoint, _sandbox.IdentityEndpoint,
        new SecretText(header ?? _sandbox.ManagedIdentity.Options.IdentityHeader), pinnedThumbprint: azurite.Server.Certificate!.Thumbprint);

    private IReadOnlyList<JournalEntry> TokenRequests() => _sandbox.Journal.For(SandboxService.ManagedIdentity);

    [Fact]
    public async Task The_store_signs_in_through_the_identity_endpoint_and_renews_its_token_before_it_expires()
    {
        var lifetime = TimeSpan.FromSeconds(20);
        _sandbox.ManagedIdentity.Options.TokenLifetime = lifetime;
        using var store = TableStateStore.Open(Account(), azurite.NewTableName("mi"));
        store.RegisterPair(new SyncPair(Pair, "CRONUS", "", DateTimeOffset.UtcNow));
        var queue = store.Pair(Pair.PairId).Queue(SyncDirection.BcToMarketo);

        var first = Assert.Single(TokenRequests());
        Assert.Equal(200, first.Status);
        Assert.Contains("resource=https%3A%2F%2Fstorage.azure.com%2F", first.Path, StringComparison.Ordinal);
        Assert.Contains("api-version=2019-08-01", first.Path, StringComparison.Ordinal);

        // Keep using the store until it asks for a second token: that must happen while the first is still valid.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var written = 0;
        while (TokenRequests().Count < 2)
        {
            var now = DateTimeOffset.UtcNow;
            queue.Enqueue([new QueuedJob($"company:C{written}", "Company", "Customer", $"C{written}", "{}", QueuedJobStatus.Pending, 0, null, now, now)], now);
            written++;
            await Task.Delay(250, timeout.Token);
        }
        var second = TokenRequests()[1];
        Assert.Equal(200, second.Status);
        Assert.True(second.Started < first.Started + lifetime, $"The token was asked for again at {second.Started:O}, after the first expired ({first.Started + lifetime:O}).");
        Assert.Equal(written, queue.Count(QueuedJobStatus.Pending));
    }

    [Fact]
    public void A_wrong_identity_header_is_a_clear_error_that_shows_no_header_or_token()
    {
        const string wrong = "not-the-header-0123456789";
        var error = Assert.Throws<MlConnectorException>(() => TableStateStore.Open(Account(wrong), azurite.NewTableName("bad")));

        Assert.Equal("StateStoreIdentityFailed", error.ErrorId);
        Assert.Contains("HTTP 400", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_sandbox.ManagedIdentity.Options.IdentityHeader, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_endpoint_given_outside_an_automation_job_says_how_to_use_a_vault_instead()
    {
        Assert.Null(Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT"));
        var reference = StateStoreReference.Parse(azurite.Server.TableEndpoint + "?tlsThumbprint=" + azurite.Server.Certificate!.Thumbprint);
        Assert.Equal(StateStoreKind.TableManagedIdentity, reference.Kind);

        var error = Assert.Throws<MlConnectorException>(() => reference.Open());

        Assert.Equal("StateStoreIdentityUnavailable", error.ErrorId);
        Assert.Contains("vault:", error.Message, StringComparison.Ordinal);
    }
}
