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
}
