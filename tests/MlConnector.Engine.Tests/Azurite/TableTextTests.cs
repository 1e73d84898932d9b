using Azure.Data.Tables;
using MlConnector.Engine.State.Tables;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>Long text split over the columns Name, Name1, ... of a row, never inside a surrogate pair, and joined again.</summary>
public sealed class TableTextTests
{
    // By name: a test runner shows (and filters on) theory data, which neither 30,000 characters nor half a surrogate pair suit.
    private static readonly Dictionary<string, string> Texts = new()
    {
        ["empty"] = "",
        ["short"] = "short",
        ["one column exactly"] = new string('x', TableText.PartChars),
        ["one character over"] = new string('x', TableText.PartChars + 1),
        ["pair across the boundary"] = new string('x', TableText.PartChars - 1) + "😀" + "tail",
        ["pair ending the text across the boundary"] = new string('x', TableText.PartChars - 1) + "😀",
        // Text ending in half a pair (a cut value): kept as it is.
        ["half a pair at the end"] = "ab\uD83D",
        ["half a pair alone in the second column"] = new string('x', TableText.PartChars) + "\uD83D",
    };

    public static TheoryData<string> Cases() => new(Texts.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Text_is_split_into_columns_a_row_can_hold_without_cutting_a_pair_and_reads_back_whole(string name)
    {
        var text = Texts[name];
        var entity = new TableEntity("p", "r");

        TableText.Write(entity, "Payload", text);

        var columns = entity.Keys.Where(k => k.StartsWith("Payload", StringComparison.Ordinal)).Select(k => entity.GetString(k)).ToList();
        Assert.All(columns, column => Assert.InRange(column.Length, 0, TableText.PartChars));
        Assert.All(columns.SkipLast(1), column => Assert.False(char.IsHighSurrogate(column[^1])));
        Assert.Equal(text, TableText.Read(entity, "Payload"));
    }

    [Fact]
    public void A_row_without_the_column_reads_as_empty_text()
        => Assert.Equal("", TableText.Read(new TableEntity("p", "r") { ["Other"] = "x" }, "Payload"));
}
