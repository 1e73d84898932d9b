using System.Text.Json;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>
/// A target's answer for one job, as the work queue holds it while its audit line cannot be written: the result to
/// audit, the record state to keep, and the job's update time when it was taken (to settle it as it was then).
/// </summary>
internal static class HeldAnswers
{
    public sealed record Held(JobOutcome Outcome, DateTimeOffset TakenUpdatedAt);

    public static string Write(JobOutcome outcome, DateTimeOffset takenUpdatedAt)
        => JsonSerializer.Serialize(new Answer(ResultData.From(outcome.Result), outcome.AlsoTouched?.Select(ResultData.From).ToList(), outcome.Written, takenUpdatedAt));

    public static Held Read(string text)
    {
        var a = JsonSerializer.Deserialize<Answer>(text) ?? throw new InvalidDataException("An empty answer was held in the work queue.");
        return new Held(new JobOutcome(a.Result.ToResult(), a.Written, AlsoTouched: a.AlsoTouched?.Select(r => r.ToResult()).ToList()), a.TakenUpdatedAt);
    }

    private sealed record Answer(ResultData Result, IReadOnlyList<ResultData>? AlsoTouched, RecordState? Written, DateTimeOffset TakenUpdatedAt);

    private sealed record ResultData(string SourceType, string SourceNumber, string TargetType, string? TargetKey, SyncAction Action, string? Reason,
        long? MarketoId, string? RequestId, string CorrelationId, IReadOnlyList<string>? ChangedFields)
    {
        public static ResultData From(SyncResult r) => new(r.SourceType, r.SourceNumber, r.TargetType, r.TargetKey, r.Action, r.Reason, r.MarketoId,
            r.RequestId, r.CorrelationId, r.ChangedFields);

        public SyncResult ToResult() => new()
        {
            SourceType = SourceType, SourceNumber = SourceNumber, TargetType = TargetType, TargetKey = TargetKey, Action = Action,
            Reason = Reason, MarketoId = MarketoId, RequestId = RequestId, CorrelationId = CorrelationId, ChangedFields = ChangedFields ?? [],
        };
    }
}
