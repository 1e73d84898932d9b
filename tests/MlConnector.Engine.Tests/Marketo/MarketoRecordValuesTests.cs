using System.Text.Json;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>A Marketo record read into .NET: integers as long, other numbers as decimal, booleans as bool, nested values as their JSON text.</summary>
public sealed class MarketoRecordValuesTests
{
    [Fact]
    public void Each_json_value_becomes_its_documented_type_under_a_case_insensitive_name()
    {
        using var item = JsonDocument.Parse("""
            {"id":9007199254740993,"email":"ann@example.com","score":12.5,"unsubscribed":true,"doNotCall":false,
             "leadSource":null,"tags":[1,"a"]}
            """);

        var record = MarketoJson.ToRecord(item.RootElement);

        Assert.Equal<object?>(9007199254740993L, record["id"]);
        Assert.Equal<object?>("ann@example.com", record["Email"]);
        Assert.Equal<object?>(12.5m, record["score"]);
        Assert.Equal<object?>(true, record["unsubscribed"]);
        Assert.Equal<object?>(false, record["doNotCall"]);
        Assert.Null(record["leadSource"]);
        Assert.Equal<object?>("""[1,"a"]""", record["tags"]);
    }
}
