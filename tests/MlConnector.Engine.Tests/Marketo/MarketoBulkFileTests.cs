using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Marketo;

/// <summary>
/// Reading a Bulk Extract CSV (bulk-extract.md; shared/api/marketo.md §9.1, §12): a header of REST names, quoted values
/// with doubled quotes and line breaks, the literal null for an empty value, and what real exports have carried —
/// CRLF line ends, blank lines, NUL characters, no newline after the last row.
/// </summary>
public sealed class MarketoBulkFileTests
{
    private static List<IReadOnlyDictionary<string, string?>> Read(string csv) => MarketoBulkFile.Read(new StringReader(csv)).ToList();

    private static string?[] Column(IEnumerable<IReadOnlyDictionary<string, string?>> rows, string name) => rows.Select(r => r[name]).ToArray();

    [Fact]
    public void Quoted_values_keep_commas_doubled_quotes_and_line_breaks_of_either_kind()
    {
        var rows = Read("id,company,address\r\n1,\"Smith, \"\"Sons\"\"\",\"1 Main St\r\nFloor 2\"\r\n2,\"\",\"Dock 4\nGate B\"\r\n");

        Assert.Equal(new[] { "1", "2" }, Column(rows, "id"));
        Assert.Equal(new[] { "Smith, \"Sons\"", null }, Column(rows, "company"));
        Assert.Equal(new[] { "1 Main St\r\nFloor 2", "Dock 4\nGate B" }, Column(rows, "address"));
    }

    [Fact]
    public void Crlf_lf_and_a_lone_cr_each_end_a_row_and_blank_lines_are_no_records()
    {
        var rows = Read("id,email\r\n1,a@example.test\r\n\r\n2,b@example.test\n\n3,c@example.test\r4,d@example.test\r\n");

        Assert.Equal(new[] { "1", "2", "3", "4" }, Column(rows, "id"));
        Assert.Equal(new[] { "a@example.test", "b@example.test", "c@example.test", "d@example.test" }, Column(rows, "email"));
    }

    [Fact]
    public void A_single_column_file_keeps_every_row_and_an_empty_first_value_does_not_hide_its_row()
    {
        Assert.Equal(new[] { "7", "8" }, Column(Read("id\n7\n8\n"), "id"));

        var rows = Read("company,email\n,a@example.test\nnull,b@example.test\n");
        Assert.Equal(new[] { "a@example.test", "b@example.test" }, Column(rows, "email"));
        Assert.Equal(new string?[] { null, null }, Column(rows, "company"));
    }

    [Fact]
    public void Nul_characters_are_dropped_and_the_rows_after_them_still_read()
    {
        var rows = Read("id,email\n1,a\0@example.test\n\0\n2,b@example.test\0\n");

        Assert.Equal(new[] { "a@example.test", "b@example.test" }, Column(rows, "email"));
    }

    [Fact]
    public void The_last_row_counts_without_a_newline_and_a_short_row_leaves_its_missing_fields_null()
    {
        var rows = Read("id,email,company\n1,a@example.test,Acme\n2\n3,c@example.test,Globex");

        Assert.Equal(new[] { "1", "2", "3" }, Column(rows, "id"));
        Assert.Equal(new[] { "a@example.test", null, "c@example.test" }, Column(rows, "email"));
        Assert.Equal(new[] { "Acme", null, "Globex" }, Column(rows, "company"));
    }

    [Fact]
    public void A_header_alone_or_an_empty_file_is_no_records_and_a_null_reader_is_refused()
    {
        Assert.Empty(Read("id,email\r\n"));
        Assert.Empty(Read(""));
        Assert.Throws<ArgumentNullException>(() => MarketoBulkFile.Read(null!).ToList());
    }
}
