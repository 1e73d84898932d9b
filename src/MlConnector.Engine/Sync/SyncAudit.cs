using MlConnector.Engine.Audit;

namespace MlConnector.Engine.Sync;

/// <summary>One audit line per record touched by a sync.</summary>
internal static class SyncAudit
{
    public const string BcToMarketo = "BcToMarketo";

    public static void Write(SyncContext context, IReadOnlyCollection<SyncResult> results)
    {
        if (results.Count == 0) return;
        var now = context.Time.GetUtcNow();
        context.Audit.Append(results.Select(r => new AuditRecord
        {
            Time = now, CorrelationId = r.CorrelationId, Direction = BcToMarketo, SourceType = r.SourceType, SourceNumber = r.SourceNumber,
            TargetType = r.TargetType, TargetKey = r.TargetKey, Action = r.Action.ToString(), Reason = r.Reason, RequestId = r.RequestId,
            MarketoId = r.MarketoId, ChangedFields = r.ChangedFields,
        }).ToList());
    }
}
