using System.Text;
using System.Text.Json;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// The JSON bodies of Marketo's write calls: Delete Leads' {"input":[{"id":…}]} (shared/api/marketo.md §5.4), and a
/// sync call's action, lookup field and records (§5.1, §7) with each .NET value in the JSON type Marketo reads:
/// numbers as numbers, datetimes with an offset, dates as YYYY-MM-DD, anything else as its text.
/// </summary>
public sealed class MarketoRequestBodiesTests
{
    [Fact]
    public void Delete_leads_lists_each_id_in_an_object_of_its_own()
        => Assert.Equal("""{"input":[{"id":235},{"id":9007199254740993}]}""", Encoding.UTF8.GetString(MarketoJson.IdsBody([235, 9007199254740993])));

    [Fact]
    public void A_sync_body_carries_the_action_the_lookup_field_and_each_record_in_order()
    {
        var records = new[]
        {
            new Dictionary<string, object?> { ["email"] = "ann@example.com", ["firstName"] = "Ann" },
            new Dictionary<string, object?> { ["email"] = "bob@example.com", ["firstName"] = null },
        };

        Assert.Equal(
            """{"action":"createOrUpdate","lookupField":"email","input":[{"email":"ann@example.com","firstName":"Ann"},{"email":"bob@example.com","firstName":null}]}""",
            SyncBodyText("createOrUpdate", "lookupField", "email", records));
    }

    public static TheoryData<object, string> Values => new()
    {
        { true, "true" },
        { false, "false" },
        { 12, "12" },
        { 9007199254740993L, "9007199254740993" },
        { (short)-7, "-7" },
        { (byte)8, "8" },
        { (sbyte)-9, "-9" },
        { (ushort)65535, "65535" },
        { 4294967295u, "4294967295" },
        { 18446744073709551615ul, "18446744073709551615" },
        { 1234.50m, "1234.50" },
        { 0.25d, "0.25" },
        { 0.5f, "0.5" },
        { new DateTimeOffset(2024, 3, 1, 10, 20, 30, TimeSpan.FromHours(1)), "\"2024-03-01T10:20:30+01:00\"" },
        { new DateTime(2024, 3, 1, 10, 20, 30, DateTimeKind.Utc), "\"2024-03-01T10:20:30+00:00\"" },
        { new DateTime(2024, 3, 1, 10, 20, 30, DateTimeKind.Unspecified), "\"2024-03-01T10:20:30+00:00\"" },
        { new DateOnly(2024, 3, 1), "\"2024-03-01\"" },
        { new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"), "\"0f8fad5b-d9cb-469f-a165-70867728950e\"" },
        { TimeSpan.FromMinutes(90), "\"01:30:00\"" },
        { new Uri("https://example.com/offer"), "\"https://example.com/offer\"" },
        { new System.Net.Mail.MailAddress("ann@example.com"), "\"ann@example.com\"" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Each_value_is_written_in_the_json_type_marketo_reads(object value, string json)
    {
        using var body = JsonDocument.Parse(SyncBodyText("createOnly", "dedupeBy", "dedupeFields", [new Dictionary<string, object?> { ["field"] = value }]));
        using var wanted = JsonDocument.Parse(json);

        var written = body.RootElement.GetProperty("input")[0].GetProperty("field");
        Assert.True(JsonElement.DeepEquals(wanted.RootElement, written), $"wrote {written.GetRawText()}, not {json}");
    }

    private static string SyncBodyText(string action, string keyName, string keyValue, IEnumerable<IReadOnlyDictionary<string, object?>> records)
    {
        using var reader = new StreamReader(MarketoJson.SyncBody(action, keyName, keyValue, records).OpenRead(), Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
