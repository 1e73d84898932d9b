using MlConnector.Engine.Audit;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Sync;

/// <summary>One audit line per record touched by a sync, naming the direction it travelled.</summary>
internal static class SyncAudit
{
    /// <summary>The audit trail could not be written: the run stops rather than settle records without their lines.</summary>
    public const string UnwritableId = "AuditUnwritable";

    public static void Write(SyncContext context, SyncDirection direction, IReadOnlyCollection<SyncResult> results)
    {
        if (results.Count == 0) return;
        var now = context.Time.GetUtcNow();
        var name = direction.ToString();
        var lines = results.Select(r => new AuditRecord
        {
            Time = now, CorrelationId = r.CorrelationId, Direction = name, PairId = context.State.PairId, SourceType = r.SourceType, SourceNumber = r.SourceNumber,
            TargetType = r.TargetType, TargetKey = r.TargetKey, Action = r.Action.ToString(), Reason = r.Reason, RequestId = r.RequestId,
            MarketoId = r.MarketoId, ChangedFields = r.ChangedFields,
        }).ToList();
        try
        {
            context.Audit.Append(lines);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StateStoreException)
        {
            throw new MlConnectorException(UnwritableId, MlErrorCategory.ResourceUnavailable,
                $"The audit trail in '{context.Audit.Location}' could not be written ({e.Message}), so the run stopped: no record is settled without its audit line. " +
                "The next run writes the missing lines; records the target had already answered for are not sent again.", e);
        }
    }
}
