using Azure.Data.Tables;
using Azure.Data.Tables.Sas;
using MlConnector.Engine.Audit;
using MlConnector.Engine.Cloud;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// Naming a state store (-StateStore, a profile) without ever holding a secret, the secret forms a vault may hold
/// (connection string, SAS URL), the endpoints the store talks to, and Table Storage's limits on a row.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableStoreReferenceTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("https://contoso.table.core.windows.net", StateStoreKind.TableManagedIdentity, "https://contoso.table.core.windows.net/")]
    [InlineData("https://contoso.table.core.windows.net/?tablePrefix=Sales&clientId=0b6f3c2e-91d4-4e57-a8c3-6d2f1e9b7a54", StateStoreKind.TableManagedIdentity,
        "https://contoso.table.core.windows.net/?tablePrefix=Sales&clientId=0b6f3c2e-91d4-4e57-a8c3-6d2f1e9b7a54")]
    [InlineData("vault:MlVault/mlc-storage", StateStoreKind.TableVaultSecret, "vault:MlVault/mlc-storage")]
    [InlineData("VAULT:MlVault/mlc-storage?tablePrefix=Ml2", StateStoreKind.TableVaultSecret, "vault:MlVault/mlc-storage?tablePrefix=Ml2")]
    [InlineData("./state/mlconnector.db", StateStoreKind.Sqlite, "./state/mlconnector.db")]
    public void A_reference_names_its_kind_and_reads_back_as_it_parses(string text, StateStoreKind kind, string shown)
    {
        var reference = StateStoreReference.Parse(text);
        Assert.Equal(kind, reference.Kind);
        Assert.Equal(shown, reference.ToString());
        Assert.Equal(reference, StateStoreReference.Parse(reference.ToString()));
    }

    [Theory]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;EndpointSuffix=core.windows.net", "c2VjcmV0LWtleS12YWx1ZQ==")]
    [InlineData("https://contoso.table.core.windows.net/?sv=2019-02-02&ss=t&sig=c2VjcmV0LXNpZw%3D%3D", "c2VjcmV0LXNpZw")]
    [InlineData("TableEndpoint=https://contoso.table.core.windows.net/;SharedAccessSignature=sv=2019&sig=abcdefsecret", "abcdefsecret")]
    public void A_reference_holding_a_secret_is_refused_without_repeating_it(string text, string secret)
    {
        var error = Assert.Throws<MlConnectorException>(() => StateStoreReference.Parse(text));
        Assert.Equal(StateStoreReference.InvalidId, error.ErrorId);
        Assert.Contains("vault:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://contoso.table.core.windows.net.evil.example/", TableServiceFactory.UntrustedEndpointId)]
    [InlineData("https://contoso.blob.core.windows.net/", TableServiceFactory.UntrustedEndpointId)]
    [InlineData("https://contoso.table.core.windows.net:8443/", TableServiceFactory.UntrustedEndpointId)]
    [InlineData("http://contoso.table.core.windows.net/", StateStoreReference.InvalidId)]
    [InlineData("https://contoso.table.core.windows.net/?tlsThumbprint=ABCD", StateStoreReference.InvalidId)]
    [InlineData("https://contoso.table.core.windows.net/?table=x", StateStoreReference.InvalidId)]
    [InlineData("https://contoso.table.core.windows.net/?tablePrefix=1abc", StateStoreReference.InvalidId)]
    [InlineData("vault:MlVault", StateStoreReference.InvalidId)]
    [InlineData("vault:MlVault/name?clientId=x", StateStoreReference.InvalidId)]
    public void Endpoints_off_Azure_Table_Storage_and_bad_options_are_refused(string text, string errorId)
        => Assert.Equal(errorId, Assert.Throws<MlConnectorException>(() => StateStoreReference.Parse(text)).ErrorId);

    [Fact]
    public void Storage_secrets_are_masked_in_any_text_that_leaves_the_module()
    {
        var text = "DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=c2VjcmV0/a2V5+dmFsdWU=;EndpointSuffix=core.windows.net "
            + "TableEndpoint=https://contoso.table.core.windows.net/;SharedAccessSignature=sv=2019-02-02&sig=c2VjcmV0LXNpZw%3D%3D "
            + "https://contoso.table.core.windows.net/?sv=2019-02-02&ss=t&sig=b3RoZXItc2ln&se=2030";
        var redacted = Engine.Diagnostics.Redactor.Redact(text);
        foreach (var secret in new[] { "c2VjcmV0/a2V5+dmFsdWU=", "c2VjcmV0LXNpZw", "b3RoZXItc2ln" }) Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.Contains("AccountName=contoso", redacted, StringComparison.Ordinal);
        Assert.Contains("ss=t", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void A_SAS_URL_from_a_vault_opens_the_store_and_its_location_shows_no_signature()
    {
        var service = new TableServiceClient(azurite.Server.ConnectionString);
        var sas = service.GenerateSasUri(TableAccountSasPermissions.All, TableAccountSasResourceTypes.All, DateTimeOffset.UtcNow.AddHours(1));
        using var store = TableStateStore.Open(TableStoreAccount.WithSecret(new SecretText(sas.ToString())), azurite.NewTableName("sas"));

        store.RegisterPair(new SyncPair(SyncPairKey.Create("t", "prod", Guid.NewGuid(), "111-AAA-111"), "CRONUS", "", DateTimeOffset.UtcNow));

        Assert.Single(store.Pairs());
        Assert.DoesNotContain("sig=", store.Location, StringComparison.Ordinal);
        Assert.StartsWith(azurite.Server.TableEndpoint.ToString().TrimEnd('/'), store.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_opened_to_read_creates_no_table_and_reads_as_empty_until_a_run_creates_it()
    {
        var prefix = azurite.NewTableName("read");
        var account = azurite.Account;
        using (var reader = TableStateStore.Open(account, prefix, create: false))
        {
            Assert.Empty(reader.Pairs());
            Assert.False(reader.HasUnclaimedState());
            Assert.False(reader.Audit.HasHistory);
            Assert.Empty(reader.Audit.Read(new AuditQuery()));
            // What a -WhatIf plan reads of a pair (both directions): all of it empty, none of it an error.
            var pair = reader.Pair("pair-0123456789abcdef");
            Assert.Null(pair.Checkpoints.Get(SyncCheckpoints.Customers));
            Assert.Empty(pair.Checkpoints.Boundary(SyncCheckpoints.Customers));
            Assert.Null(pair.Checkpoints.GetWatermark(SyncCheckpoints.LeadChanges));
            foreach (var direction in Enum.GetValues<SyncDirection>())
            {
                var queue = pair.Queue(direction);
                Assert.Equal((0, 0), (queue.Count(QueuedJobStatus.Pending), queue.Count(QueuedJobStatus.Parked, "Lead")));
                Assert.Empty(queue.Take(QueuedJobStatus.Pending, null, 10));
                Assert.Empty(queue.Take(QueuedJobStatus.Parked, "Company", 10, ["C*"]));
                Assert.Empty(queue.JobIds(QueuedJobStatus.Pending));
                Assert.Empty(queue.Answered());
                Assert.Empty(pair.Records(direction).Get(["company:C1"]));
                Assert.Equal(0, pair.Records(direction).Count());
            }
            Assert.Empty(pair.Links.ByBcNumber(LinkKind.Customer, ["C1"]));
            Assert.Empty(pair.Links.ByMarketoId(LinkKind.Contact, [42]));
            Assert.Equal(0, pair.Links.Count(LinkKind.Contact));
            Assert.Empty(pair.Subscriptions.All());
            Assert.Null(pair.Lease.Current(DateTimeOffset.UtcNow));
        }
        var service = new TableServiceClient(azurite.Server.ConnectionString);
        Assert.DoesNotContain(service.Query(), t => t.Name.StartsWith(prefix, StringComparison.Ordinal));

        using (var writer = TableStateStore.Open(account, prefix)) Assert.True(writer.Created);
        Assert.Equal(5, service.Query().Count(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_secret_that_is_no_connection_string_is_refused_without_repeating_it()
    {
        var error = Assert.Throws<MlConnectorException>(() => TableStoreAccount.WithSecret(new SecretText("just-a-password-value")));
        Assert.Equal(TableServiceFactory.SecretUnusableId, error.ErrorId);
        Assert.DoesNotContain("just-a-password-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_job_larger_than_a_row_can_hold_is_refused_by_name_and_nothing_of_its_batch_is_half_written()
    {
        using var store = TableStateStore.Open(azurite.Account, azurite.NewTableName("big"));
        var queue = store.Pair("pair-0000000000000001").Queue(SyncDirection.BcToMarketo);
        var now = DateTimeOffset.UtcNow;
        QueuedJob Job(string number, int size) => new("company:" + number, "Company", "Customer", number, new string('x', size), QueuedJobStatus.Pending, 0, null, now, now);

        queue.Enqueue([Job("OK", TableJobRows.MaxPayloadChars)], now);
        var error = Assert.Throws<MlConnectorException>(() => queue.Enqueue([Job("HUGE", TableJobRows.MaxPayloadChars + 1)], now));

        Assert.Equal(TableJobRows.TooLargeId, error.ErrorId);
        Assert.Contains("company:HUGE", error.Message, StringComparison.Ordinal);
        Assert.Equal(["company:OK"], queue.JobIds(QueuedJobStatus.Pending));
        Assert.Equal(TableJobRows.MaxPayloadChars, queue.Take(QueuedJobStatus.Pending, null, 1)[0].Payload.Length);
    }

    [Fact]
    public void The_audit_table_reads_back_by_day_in_order_and_reports_a_line_it_cannot_read()
    {
        using var store = TableStateStore.Open(azurite.Account, azurite.NewTableName("audit"));
        var day = new DateTimeOffset(2026, 3, 1, 23, 59, 0, TimeSpan.Zero);
        AuditRecord Line(string number, DateTimeOffset at) => new()
        {
            Time = at, CorrelationId = "run-1", Direction = "BcToMarketo", PairId = "pair-1", SourceType = "Customer", SourceNumber = number, TargetType = "Company", Action = "Created",
            ChangedFields = ["company", "billingCity"],
        };
        Assert.False(store.Audit.HasHistory);
        store.Audit.Append(Enumerable.Range(0, 150).Select(i => Line("C" + i, day.AddSeconds(i))));
        new TableServiceClient(azurite.Server.ConnectionString).GetTableClient(store.Audit.Location.Split('/')[^1])
            .AddEntity(new TableEntity("2026-03-02|00", "9999999999999999999|x|1") { ["Line"] = "{ torn" });

        Assert.True(store.Audit.HasHistory);
        var damaged = new List<AuditDamage>();
        var all = store.Audit.Read(new AuditQuery(), damaged.Add).ToList();
        Assert.Equal(Enumerable.Range(0, 150).Select(i => "C" + i), all.Select(r => r.SourceNumber));
        Assert.Equal(["company", "billingCity"], all[0].ChangedFields);
        Assert.Contains("2026-03-02", Assert.Single(damaged).File, StringComparison.Ordinal);
        Assert.Equal(90, store.Audit.Read(new AuditQuery { Since = day.AddMinutes(1) }).Count());
    }
}
