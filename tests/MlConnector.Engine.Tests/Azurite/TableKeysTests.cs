using MlConnector.Engine.State.Tables;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>Row-key parts from values: reserved characters escaped as %XX, parts too long for a key replaced by their hash.</summary>
public sealed class TableKeysTests
{
    [Theory]
    [InlineData("C10000", "C10000")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("%", "%25")]
    [InlineData("lead:a|b~c#d?e\\f\n", "lead:a%7Cb%7Ec%23d%3Fe%5Cf%0A")]
    public void A_part_escapes_what_a_key_may_not_hold_and_reads_back_as_the_value(string value, string part)
    {
        Assert.Equal(part, TableKeys.Part(value));
        Assert.Equal(value, TableKeys.Unescape(part));
        Assert.False(TableKeys.IsHashed(part));
    }

    [Fact]
    public void A_part_of_up_to_400_characters_is_kept_and_a_longer_one_is_its_hash()
    {
        var longest = new string('x', 400);
        var longer = longest + "x";

        Assert.Equal(longest, TableKeys.Part(longest));
        var hashed = TableKeys.Part(longer);
        Assert.True(TableKeys.IsHashed(hashed));
        Assert.Equal(65, hashed.Length);
        Assert.NotEqual(hashed, TableKeys.Part(longest + "y"));
    }

    [Fact]
    public void A_missing_value_is_refused_as_an_argument()
        => Assert.Throws<ArgumentNullException>(() => TableKeys.Part(null!));
}
