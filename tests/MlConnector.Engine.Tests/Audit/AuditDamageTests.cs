using MlConnector.Engine.Audit;

namespace MlConnector.Engine.Tests.Audit;

/// <summary>Damaged audit lines are skipped but never silently: each file reports the numbers of the lines it could not read.</summary>
public sealed class AuditDamageTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("mlc-audit-damage-").FullName;

    [Fact]
    public void Unreadable_lines_are_reported_with_the_file_and_their_line_numbers()
    {
        var log = new AuditLog(_folder);
        log.Append([Record("C1"), Record("C2")]);
        var file = log.PathFor(Day);
        var lines = File.ReadAllLines(file).ToList();
        lines.Insert(1, "{\"time\":\"2026-11-26T08:00:00+00:00\",\"correlationId\":\"run\"");   // torn mid-write
        lines.Add("not json at all");
        lines.Add("");
        lines.Add("{\"time\":\"2026-11-26T08:00:00+00:00\"}");                                 // JSON, but not a record
        File.WriteAllLines(file, lines);
        log.Append(Record("C3"));

        var damage = new List<AuditDamage>();
        var records = new AuditLogReader(_folder).Read(new AuditQuery(), damage.Add).ToList();

        Assert.Equal(["C1", "C2", "C3"], records.Select(r => r.SourceNumber));
        var report = Assert.Single(damage);
        Assert.Equal(file, report.File);
        Assert.Equal([2L, 4L, 6L], report.Lines);
        var warning = report.Describe();
        Assert.Contains(Path.GetFileName(file), warning, StringComparison.Ordinal);
        Assert.Contains("lines 2, 4, 6", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_clean_trail_reports_nothing_and_long_lists_are_shortened()
    {
        new AuditLog(_folder).Append(Record("C1"));
        var damage = new List<AuditDamage>();
        Assert.Single(new AuditLogReader(_folder).Read(new AuditQuery(), damage.Add));
        Assert.Empty(damage);

        var many = new AuditDamage("audit-x.jsonl", Enumerable.Range(1, 25).Select(i => (long)i).ToArray()).Describe();
        Assert.Contains("lines 1, 2, 3", many, StringComparison.Ordinal);
        Assert.Contains("20 and 5 more", many, StringComparison.Ordinal);
    }

    private static AuditRecord Record(string number) => new()
    {
        Time = Day, CorrelationId = "run", Direction = "BcToMarketo", SourceType = "Customer", SourceNumber = number,
        TargetType = "Company", Action = "Created",
    };

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
