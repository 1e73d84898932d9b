using System.Text;
using System.Text.Json;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync.BulkImport;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>One Bulk Lead Import file cut from the pending leads: RFC 4180 quoting, the row, byte and field-set limits, and emails deferred.</summary>
public sealed class LeadImportFileTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Values_holding_a_comma_quote_or_line_break_are_quoted_with_quotes_doubled_and_others_are_written_as_they_are()
    {
        var queue = new Pending(Lead("a@x.example", new() { ["email"] = "a@x.example", ["lastName"] = ",Smith", ["title"] = "say \"hi\"", ["note"] = "two\r\nlines", ["city"] = "Oslo", ["vip"] = true, ["fax"] = null, ["score"] = 1.5m }));

        var file = LeadImportFile.Next(queue, _ => false, 10, out var deferred)!;

        Assert.False(deferred);
        Assert.Equal("email,lastName,title,note,city,vip,fax,score\r\na@x.example,\",Smith\",\"say \"\"hi\"\"\",\"two\r\nlines\",Oslo,true,,1.5\r\n", Csv(file));
    }

    [Fact]
    public void False_is_written_as_false()
        => Assert.EndsWith("a@x.example,false\r\n", Csv(LeadImportFile.Next(new Pending(Lead("a@x.example", new() { ["email"] = "a@x.example", ["vip"] = false })), _ => false, 10, out _)!));

    [Fact]
    public void A_file_holds_at_most_max_rows()
    {
        var queue = new Pending(Lead("a@x.example"), Lead("b@x.example"), Lead("c@x.example"));

        var file = LeadImportFile.Next(queue, _ => false, 2, out _)!;

        Assert.Equal(["a@x.example", "b@x.example"], file.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, file.Jobs.Count);
    }

    [Fact]
    public void A_lead_whose_fields_differ_from_the_first_rows_ends_the_file()
    {
        var queue = new Pending(Lead("a@x.example", new() { ["email"] = "a@x.example", ["title"] = "A" }),
            Lead("b@x.example", new() { ["email"] = "b@x.example", ["city"] = "B" }),
            Lead("c@x.example", new() { ["email"] = "c@x.example", ["title"] = "C", ["city"] = "C" }));

        var file = LeadImportFile.Next(queue, _ => false, 10, out _)!;

        Assert.Equal(["a@x.example"], file.Keys);
    }

    [Fact]
    public void A_row_that_fits_the_byte_limit_exactly_goes_and_the_next_that_does_not_waits()
    {
        var queue = new Pending(Lead("a@x.example"), Lead("b@x.example"));
        var oneRow = Encoding.UTF8.GetByteCount("email,lastName\r\na@x.example,Lead\r\n");

        var file = LeadImportFile.Next(queue, _ => false, 10, out _, maxBytes: oneRow)!;

        Assert.Equal(["a@x.example"], file.Keys);
        Assert.Equal(oneRow, file.Csv.Length);
    }

    [Fact]
    public void An_email_already_in_the_file_or_importing_is_deferred_to_a_later_file()
    {
        var queue = new Pending(Lead("a@x.example"), Lead("A@x.example"), Lead("b@x.example"), Lead("c@x.example"));

        var file = LeadImportFile.Next(queue, key => key == "b@x.example", 10, out var deferred)!;

        Assert.True(deferred);
        Assert.Equal(["a@x.example", "c@x.example"], file.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["a@x.example", "c@x.example"], file.Jobs.Select(j => j.JobId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_file_reads_past_a_full_page_of_pending_leads()
    {
        var queue = new Pending(Enumerable.Range(0, 2001).Select(i => Lead($"l{i}@x.example")).ToArray());

        var file = LeadImportFile.Next(queue, _ => false, 5000, out _)!;

        Assert.Equal(2001, file.Jobs.Count);
    }

    private static string Csv(LeadImportFile file) => Encoding.UTF8.GetString(file.Csv.Span);

    private static QueuedJob Lead(string email, Dictionary<string, object?>? fields = null)
        => new(email.ToLowerInvariant() == email ? email : email + "-twin", MarketoRecord.Lead, "Contact", email,
            JsonSerializer.Serialize(new { Key = email, Hash = "h", Fields = fields ?? new Dictionary<string, object?> { ["email"] = email, ["lastName"] = "Lead" } }),
            QueuedJobStatus.Pending, 0, null, At, At);

    /// <summary>Pending jobs handed out a page at a time, as the state store does.</summary>
    private sealed class Pending(params QueuedJob[] jobs) : IBulkImports
    {
        public IReadOnlyList<(QueuedJob Job, long Sequence)> TakeNotImporting(string targetType, long afterSequence, int max)
            => jobs.Select((j, i) => (j, (long)i + 1)).Where(p => p.Item2 > afterSequence).Take(max).ToList();

        public IReadOnlyList<BulkImportBatch> Open() => throw new NotSupportedException();
        public void Add(BulkImportBatch batch, IReadOnlyCollection<(string JobId, DateTimeOffset UpdatedAt)> jobs) => throw new NotSupportedException();
        public IReadOnlyList<(QueuedJob Job, long Sequence)> Jobs(long batchId, long afterSequence, int max) => throw new NotSupportedException();
        public void Remove(long batchId) => throw new NotSupportedException();
    }
}
