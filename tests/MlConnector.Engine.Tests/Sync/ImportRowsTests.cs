using MlConnector.Engine.Sync.BulkImport;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>A bulk import failures or warnings file read back: the reason per email, values quoted as RFC 4180 writes them.</summary>
public sealed class ImportRowsTests
{
    [Fact]
    public void Reasons_are_keyed_on_the_lower_cased_email_and_quoted_values_keep_their_commas_quotes_and_line_breaks()
    {
        const string file = "email,lastName,Import Failure Reason\r\n"
            + "Ann@Example.com,\"Smith, Jr.\",\"Value for field \"\"phone\"\" is invalid\"\r\n"
            + "bob@example.com,\"Two\nlines\",Multiple leads match the lookup criteria\n";

        var reasons = ImportRows.ReasonsByKey(file, "email");

        Assert.Equal(2, reasons.Count);
        Assert.Equal("Value for field \"phone\" is invalid", reasons["ann@example.com"]);
        Assert.Equal("Multiple leads match the lookup criteria", reasons["bob@example.com"]);
    }

    [Fact]
    public void A_file_without_the_lookup_column_is_refused_rather_than_read_as_no_failures()
        => Assert.Throws<InvalidDataException>(() => ImportRows.ReasonsByKey("id,Import Failure Reason\r\n12,bad\r\n", "email"));

    [Fact]
    public void A_file_of_the_lookup_column_and_a_reason_column_is_read()
        => Assert.Equal("bad", ImportRows.ReasonsByKey("email,Import Failure Reason\r\nann@example.com,bad\r\n", "email")["ann@example.com"]);

    [Fact]
    public void A_refused_file_names_the_lookup_field_and_the_header_it_has()
    {
        var refusal = Assert.Throws<InvalidDataException>(() => ImportRows.ReasonsByKey("id,Import Failure Reason\r\n", "email"));
        Assert.Contains("'email'", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("id,Import Failure Reason", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_with_the_lookup_column_alone_is_refused_for_want_of_a_reason_column()
        => Assert.Throws<InvalidDataException>(() => ImportRows.ReasonsByKey("email\r\nann@example.com\r\n", "email"));

    [Fact]
    public void Rows_short_of_the_key_are_skipped_and_a_missing_or_empty_reason_reads_as_no_reason_given()
    {
        const string file = "id,email,Import Warning Reason\r\n"
            + "1\r\n"
            + "2,ann@example.com\r\n"
            + "3,bob@example.com,\r\n"
            + "4,cy@example.com,Company not found";

        var reasons = ImportRows.ReasonsByKey(file, "email");

        Assert.Equal(3, reasons.Count);
        Assert.Equal("no reason given", reasons["ann@example.com"]);
        Assert.Equal("no reason given", reasons["bob@example.com"]);
        Assert.Equal("Company not found", reasons["cy@example.com"]);
    }

    [Fact]
    public void A_quote_closing_the_last_value_of_the_file_ends_it_and_a_last_line_without_a_line_break_is_a_row()
    {
        Assert.Equal([["d"], ["a", "b \"c\""]], ImportRows.Parse("d\r\na,\"b \"\"c\"\"\""));
        Assert.Equal([["a"], ["d"]], ImportRows.Parse("a\r\nd"));
    }

    [Fact]
    public void A_trailing_line_break_adds_no_empty_row_but_a_trailing_comma_adds_an_empty_value()
    {
        Assert.Equal([["a", "b"]], ImportRows.Parse("a,b\r\n"));
        Assert.Equal([["a", ""]], ImportRows.Parse("a,"));
    }
}
