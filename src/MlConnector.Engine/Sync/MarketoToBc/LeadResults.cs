using System.Globalization;
using MlConnector.Engine.Mapping;

namespace MlConnector.Engine.Sync.MarketoToBc;

/// <summary>Results of the reverse flow: the source is the Marketo lead (its id), the target a BC customer or contact.</summary>
internal static class LeadResults
{
    public const string Source = "Lead";
    public const string Customer = "Customer";
    public const string Contact = "Contact";

    public const string LeadDeleted = LeadReasons.LeadDeleted + ": the lead was deleted in Marketo after it changed, before it could be read";

    public static SyncResult Skipped(SyncContext context, long leadId, string? contactNumber, string reason)
        => Of(context, leadId, Contact, contactNumber, SyncAction.Skipped, reason);

    public static SyncResult Of(SyncContext context, long leadId, string targetType, string? targetKey, SyncAction action, string? reason = null,
        IReadOnlyList<string>? changed = null) => new()
    {
        SourceType = Source, SourceNumber = leadId.ToString(CultureInfo.InvariantCulture), TargetType = targetType, TargetKey = targetKey,
        Action = action, Reason = reason, MarketoId = leadId, CorrelationId = context.CorrelationId, ChangedFields = changed ?? [],
    };

    public static SyncPlanRow Row(SyncResult result) => new()
    {
        SourceType = result.SourceType, SourceNumber = result.SourceNumber, TargetType = result.TargetType, TargetKey = result.TargetKey,
        Action = result.Action == SyncAction.Unchanged ? PlannedAction.Unchanged : PlannedAction.Skip, Reason = result.Reason, MarketoId = result.MarketoId,
    };
}
