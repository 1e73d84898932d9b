using System.Text.Json;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>A member read as text keeps what Marketo sent, whether a string, a number or a flag; other shapes read as absent.</summary>
public sealed class MarketoEnvelopeTextTests
{
    [Theory]
    [InlineData("""{"m":"text"}""", "text")]
    [InlineData("""{"m":1234567890123}""", "1234567890123")]
    [InlineData("""{"m":true}""", "true")]
    [InlineData("""{"m":false}""", "false")]
    [InlineData("""{"m":null}""", null)]
    [InlineData("""{"m":[1]}""", null)]
    [InlineData("""{}""", null)]
    public void A_member_reads_as_the_text_marketo_sent(string json, string? expected)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(expected, MarketoEnvelope.Text(document.RootElement, "m"));
    }
}
