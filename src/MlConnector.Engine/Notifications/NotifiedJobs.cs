using System.Text.Json;
using MlConnector.Engine.State;

namespace MlConnector.Engine.Notifications;

/// <summary>
/// A change notification as a work-queue job of its pair (BC → Marketo): "read this entity (or this changed set) from
/// Business Central". Keyed on the entity's SystemId, so the same customer notified twice is one job; the worker reads it
/// and sends it through the main flow, whose Marketo jobs are keyed on the BC number like the poll's ("Customer:C00010").
/// </summary>
public static class NotifiedJobs
{
    /// <summary>The target type of these jobs: a Business Central read, before anything is planned for Marketo.</summary>
    public const string TargetType = "BcRead";

    public static string JobId(string entitySet, Guid entityId) => $"Notified:{entitySet}({entityId:D})";

    /// <summary>One collection re-read per entity set waits at a time; a later one keeps the earliest instant.</summary>
    public static string CollectionJobId(string entitySet) => $"Notified:{entitySet}";

    internal static QueuedJob Entity(EntityNotification change, DateTimeOffset receivedAt) => new(
        JobId(change.EntitySet, change.EntityId), TargetType, SourceTypeOf(change.EntitySet), change.EntityId.ToString("D"),
        JsonSerializer.Serialize(new Payload(change.EntitySet, change.EntityId, change.ChangeType.ToString(), null, false, change.SubscriptionId, receivedAt)),
        QueuedJobStatus.Pending, 0, null, receivedAt, receivedAt);

    internal static QueuedJob Collection(string entitySet, string subscriptionId, DateTimeOffset? modifiedAfter, DateTimeOffset receivedAt) => new(
        CollectionJobId(entitySet), TargetType, SourceTypeOf(entitySet), "*",
        JsonSerializer.Serialize(new Payload(entitySet, null, nameof(NotificationChangeType.Collection), modifiedAfter, modifiedAfter is null, subscriptionId, receivedAt)),
        QueuedJobStatus.Pending, 0, null, receivedAt, receivedAt);

    internal static Payload Read(QueuedJob job)
        => JsonSerializer.Deserialize<Payload>(job.Payload) ?? throw new InvalidDataException("An empty notified job in the work queue: " + job.JobId);

    internal static string SourceTypeOf(string entitySet) => entitySet switch { "customers" => "Customer", "contacts" => "Contact", _ => entitySet };

    /// <summary>What to read: one entity (<see cref="EntityId"/>), or the set changed after <see cref="ModifiedAfter"/> (everything when <see cref="Everything"/>).</summary>
    internal sealed record Payload(string EntitySet, Guid? EntityId, string ChangeType, DateTimeOffset? ModifiedAfter, bool Everything, string SubscriptionId, DateTimeOffset ReceivedAt);
}
