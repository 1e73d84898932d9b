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
    {
        var r = outcome.Result;
        return JsonSerializer.Serialize(new Answer(r.SourceType, r.SourceNumber, r.TargetType, r.TargetKey, r.Action, r.Reason, r.MarketoId, r.RequestId,
            r.CorrelationId, r.ChangedFields, outcome.Written, takenUpdatedAt));
    }

    public static Held Read(string text)
    {
        var a = JsonSerializer.Deserialize<Answer>(text) ?? throw new InvalidDataException("An empty answer was held in the work queue.");
        var result = new SyncResult
        {
            SourceType = a.SourceType, SourceNumber = a.SourceNumber, TargetType = a.TargetType, TargetKey = a.TargetKey, Action = a.Action,
            Reason = a.Reason, MarketoId = a.MarketoId, RequestId = a.RequestId, CorrelationId = a.CorrelationId, ChangedFields = a.ChangedFields ?? [],
        };
        return new Held(new JobOutcome(result, a.Written), a.TakenUpdatedAt);
    }

    private sealed record Answer(string SourceType, string SourceNumber, string TargetType, string? TargetKey, SyncAction Action, string? Reason,
        long? MarketoId, string? RequestId, string CorrelationId, IReadOnlyList<string>? ChangedFields, RecordState? Written, DateTimeOffset TakenUpdatedAt);
}
