using MlConnector.Engine.Audit;

namespace MlConnector.Engine.Tests.Audit;

public sealed class AuditLogTests : IDisposable
{
    private static readonly DateTimeOffset Day1 = new(2026, 11, 26, 23, 59, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-audit-").FullName;

    private static AuditRecord Record(DateTimeOffset time, string number, string action, string correlation = "run-1") => new()
    {
        Time = time, CorrelationId = correlation, Direction = "BcToMarketo", SourceType = "Customer", SourceNumber = number,
        TargetType = "Company", TargetKey = number, Action = action, Reason = action == "Skipped" ? "CrmSyncEnabled" : null,
        RequestId = "e42b#14272d07d78", ChangedFields = ["company", "billingCity"],
    };

    [Fact]
    public void Appends_one_json_line_per_record_into_a_file_per_utc_day()
    {
        var log = new AuditLog(_folder);
        log.Append([Record(Day1, "C1", "Created"), Record(Day1.AddMinutes(2), "C2", "Updated")]);

        Assert.Single(File.ReadAllLines(log.PathFor(Day1)));
        var second = File.ReadAllLines(log.PathFor(Day1.AddMinutes(2)));
        Assert.Single(second);
        Assert.Contains("\"sourceNumber\":\"C2\"", second[0]);
        Assert.Contains("\"changedFields\":[\"company\",\"billingCity\"]", second[0]);
    }

    [Fact]
    public void Reader_filters_by_since_action_number_and_correlation()
    {
        var log = new AuditLog(_folder);
        log.Append([Record(Day1, "C1", "Created", "a"), Record(Day1.AddMinutes(2), "C2", "Skipped", "b"), Record(Day1.AddMinutes(3), "C3", "Failed", "b")]);
        var reader = new AuditLogReader(_folder);

        Assert.Equal(3, reader.Read(new AuditQuery()).Count());
        Assert.Equal(["C2", "C3"], reader.Read(new AuditQuery { Since = Day1.AddMinutes(1) }).Select(r => r.SourceNumber));
        Assert.Equal("C2", Assert.Single(reader.Read(new AuditQuery { Actions = ["skipped"] })).SourceNumber);
        Assert.Equal("C3", Assert.Single(reader.Read(new AuditQuery { SourceNumbers = ["C3"] })).SourceNumber);
        Assert.Equal(2, reader.Read(new AuditQuery { CorrelationId = "b" }).Count());
        Assert.Equal("CrmSyncEnabled", reader.Read(new AuditQuery { Actions = ["Skipped"] }).Single().Reason);
    }

    [Fact]
    public void A_torn_last_line_is_skipped_and_later_records_stay_readable()
    {
        var log = new AuditLog(_folder);
        log.Append(Record(Day1, "C1", "Created"));
        File.AppendAllText(log.PathFor(Day1), "{\"time\":\"2026-11-");
        log.Append(Record(Day1, "C2", "Updated"));
        Assert.Equal(["C1", "C2"], new AuditLogReader(_folder).Read(new AuditQuery()).Select(r => r.SourceNumber));
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
