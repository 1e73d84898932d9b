using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>The answer a work queue holds while the audit is unwritable, as it reads back.</summary>
public sealed class HeldAnswersTests
{
    [Fact]
    public void An_answer_held_without_changed_fields_reads_back_with_none_rather_than_null()
    {
        // As an answer held by a build that did not write the field reads: the audit and CSV export expect a list.
        const string text = """
            {"Result":{"SourceType":"Customer","SourceNumber":"C1","TargetType":"Company","TargetKey":"C1","Action":0,"Reason":null,
            "MarketoId":7,"RequestId":"r1","CorrelationId":"c1"},"AlsoTouched":null,"Written":null,"TakenUpdatedAt":"2026-11-30T09:00:00+00:00"}
            """;
        var held = HeldAnswers.Read(text);

        Assert.NotNull(held.Outcome.Result.ChangedFields);
        Assert.Empty(held.Outcome.Result.ChangedFields);
        Assert.Equal(SyncAction.Created, held.Outcome.Result.Action);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero), held.TakenUpdatedAt);
    }

    [Fact]
    public void A_held_answer_keeps_its_changed_fields_and_further_records_through_a_write_and_read()
    {
        var result = new SyncResult { SourceType = "Contact", SourceNumber = "CT1", TargetType = "Lead", TargetKey = "a@b.example", Action = SyncAction.Updated, CorrelationId = "c" };
        result.ChangedFields = ["email", "title"];
        var also = new SyncResult { SourceType = "Customer", SourceNumber = "C1", TargetType = "Customer", Action = SyncAction.Created, CorrelationId = "c" };
        var at = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

        var held = HeldAnswers.Read(HeldAnswers.Write(new JobOutcome(result, null, AlsoTouched: [also]), at));

        Assert.Equal(["email", "title"], held.Outcome.Result.ChangedFields);
        Assert.Equal("C1", Assert.Single(held.Outcome.AlsoTouched!).SourceNumber);
        Assert.Equal(at, held.TakenUpdatedAt);
    }

    [Fact]
    public void An_empty_held_answer_is_refused_with_a_reason()
    {
        var e = Assert.Throws<InvalidDataException>(() => HeldAnswers.Read("null"));
        Assert.Contains("empty answer", e.Message, StringComparison.Ordinal);
    }
}
