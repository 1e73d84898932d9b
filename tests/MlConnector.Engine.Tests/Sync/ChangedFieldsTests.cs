using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using MlConnector.Engine.Audit;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Tests.BusinessCentral;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// An audit line names the fields whose values changed since the connector last wrote the record (about_MlConnector,
/// Get-MlAuditLog): every mapped field when the record is new to Marketo, only the changed ones on an update. The record
/// state keeps short per-field digests for that, never the values.
/// </summary>
public sealed class ChangedFieldsTests
{
    private static async Task<List<AuditRecord>> RunAndReadAuditAsync(SyncSandbox sandbox, CustomerSyncRequest? request = null)
    {
        var correlationId = Guid.NewGuid().ToString("D");
        await BcSandbox.ToListAsync(sandbox.Sync(correlationId: correlationId).RunAsync(request ?? new CustomerSyncRequest(), CancellationToken.None));
        return new AuditLogReader(sandbox.Audit.Folder).Read(new AuditQuery { CorrelationId = correlationId }).ToList();
    }

    [Fact]
    public async Task A_new_record_names_every_mapped_field_and_an_update_only_the_fields_that_changed()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 10);
        var store = sandbox.Host.BusinessCentral.Store;
        var customer = store.Customers[3];
        var contact = store.Contacts.First(c => c.Type == "Person" && EmailRules.Problem(c.Email) is null
            && store.Contacts.Count(o => EmailRules.Normalize(o.Email) == EmailRules.Normalize(c.Email)) == 1);

        var first = await RunAndReadAuditAsync(sandbox);
        var created = Assert.Single(first, a => a.SourceType == "Contact" && a.SourceNumber == contact.Number);
        Assert.Equal("Created", created.Action);
        // The default mapping's lead fields (docs/mapping.md), companies being writable.
        string[] leadFields = ["email", "firstName", "lastName", "title", "phone", "mobilePhone", "address", "city", "state", "postalCode", "country",
            "externalCompanyId", "bcContactNumber", "bcCustomerNumber"];
        Assert.Equal(leadFields.Order(), created.ChangedFields.Order());

        sandbox.Host.BusinessCentral.ModifyContactInUi(contact.Id, c => c.JobTitle = "Head of Audit Trails");
        sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Changed City");
        var second = await RunAndReadAuditAsync(sandbox);

        var lead = Assert.Single(second, a => a.SourceType == "Contact" && a.SourceNumber == contact.Number);
        Assert.Equal("Updated", lead.Action);
        Assert.Equal(["title"], lead.ChangedFields);
        var company = Assert.Single(second, a => a.SourceType == "Customer" && a.SourceNumber == customer.Number);
        Assert.Equal("Updated", company.Action);
        Assert.Equal(["billingCity"], company.ChangedFields);
    }

    [Fact]
    public async Task A_resync_of_unchanged_records_names_no_changed_field_and_a_change_after_it_names_only_that_field()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        await RunAndReadAuditAsync(sandbox);

        var resync = await RunAndReadAuditAsync(sandbox, new CustomerSyncRequest { Resync = true });
        var sent = resync.Where(a => a.Action == "Updated").ToList();
        Assert.NotEmpty(sent);
        Assert.All(sent, a => Assert.Empty(a.ChangedFields));

        var customer = sandbox.Host.BusinessCentral.Store.Customers[0];
        sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.PhoneNumber = "+1 555 0142");
        var after = await RunAndReadAuditAsync(sandbox);
        Assert.Equal(["mainPhone"], Assert.Single(after, a => a.SourceNumber == customer.Number && a.TargetType == MarketoRecord.Company).ChangedFields);
    }

    [Fact]
    public async Task The_record_state_keeps_short_digests_per_field_and_never_the_values()
    {
        await using var sandbox = await SyncSandbox.StartAsync(customers: 5);
        var customer = sandbox.Host.BusinessCentral.Store.Customers[1];
        sandbox.Host.BusinessCentral.ModifyCustomerInUi(customer.Id, c => c.City = "Digestville");
        await RunAndReadAuditAsync(sandbox);

        var key = "Company:" + customer.Number;
        var state = sandbox.State.Records(SyncDirection.BcToMarketo).Get([key])[key];
        Assert.NotNull(state.FieldHashes);
        Assert.Contains("billingCity", state.FieldHashes!.Keys);
        Assert.All(state.FieldHashes.Values, d => Assert.Matches("^[0-9a-f]{8}$", d));

        var path = sandbox.Sqlite.Describe().Path;
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT field_hashes FROM record_state WHERE target_key = $key;";
        command.Parameters.AddWithValue("$key", key);
        var stored = (string)command.ExecuteScalar()!;
        Assert.DoesNotContain("Digestville", stored, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(customer.DisplayName, stored, StringComparison.OrdinalIgnoreCase);
        Assert.Matches(new Regex("\"billingCity\":\"[0-9a-f]{8}\""), stored);
    }

    [Fact]
    public void Field_digests_differ_per_record_and_per_field_for_equal_values()
    {
        var fields = new Dictionary<string, object?> { ["billingCity"] = "Springfield", ["company"] = "Springfield" };
        var one = ContentHash.FieldDigests("Company:C1", fields);
        var two = ContentHash.FieldDigests("Company:C2", fields);

        Assert.NotEqual(one["billingCity"], one["company"]);
        Assert.NotEqual(one["billingCity"], two["billingCity"]);
        Assert.Equal(one["billingCity"], ContentHash.FieldDigests("Company:C1", new Dictionary<string, object?> { ["billingCity"] = "Springfield" })["billingCity"]);
        Assert.Equal(["company"], ContentHash.ChangedFields(ContentHash.FieldDigests("Company:C1", new Dictionary<string, object?> { ["billingCity"] = "Springfield", ["company"] = "Shelbyville" }), one));
        Assert.Equal(["billingCity", "company"], ContentHash.ChangedFields(one, previous: null));
    }

    [Fact]
    public void Field_digests_are_the_ones_earlier_versions_kept_in_the_state()
    {
        // Digests at rest were SHA-256 over UTF-8 of key + "\n" + field + "\n" + JsonSerializer's text of the value, first
        // 4 bytes in lower-case hex: a digest taken another way would name every field of every record as changed.
        var fields = new Dictionary<string, object?>
        {
            ["company"] = "Ännchen & Söhne <GmbH> \"quoted\" 'single' +1 \u00e9\ud83d\ude00", ["bcAccountBalance"] = 1234.50m,
            ["unsubscribed"] = true, ["title"] = null, ["city"] = "", ["phone"] = "+1 (555) 010-0000",
        };
        var digests = ContentHash.FieldDigests("Lead:änne@example.com", fields);

        foreach (var (name, value) in fields)
        {
            var input = System.Text.Encoding.UTF8.GetBytes("Lead:änne@example.com" + "\n" + name + "\n" + System.Text.Json.JsonSerializer.Serialize(value));
            var expected = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(input), 0, 4).ToLowerInvariant();
            Assert.Equal(expected, digests[name]);
        }
    }
}
