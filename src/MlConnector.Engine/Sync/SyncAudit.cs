using MlConnector.Engine.Audit;

namespace MlConnector.Engine.Sync;

/// <summary>One audit line per record touched by a sync, naming the direction it travelled.</summary>
internal static class SyncAudit
{
    public static void Write(SyncContext context, SyncDirection direction, IReadOnlyCollection<SyncResult> results)
    {
        if (results.Count == 0) return;
        var now = context.Time.GetUtcNow();
        var name = direction.ToString();
        context.Audit.Append(results.Select(r => new AuditRecord
        {
            Time = now, CorrelationId = r.CorrelationId, Direction = name, PairId = context.State.PairId, SourceType = r.SourceType, SourceNumber = r.SourceNumber,
            TargetType = r.TargetType, TargetKey = r.TargetKey, Action = r.Action.ToString(), Reason = r.Reason, RequestId = r.RequestId,
            MarketoId = r.MarketoId, ChangedFields = r.ChangedFields,
        }).ToList());
    }
}
