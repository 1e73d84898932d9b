using Azure.Data.Tables;

namespace MlConnector.Engine.State.Tables;

/// <summary>
/// One pair's lease: the row "lease" in the pairs table (partition = pair id). Taking it is an insert that fails if the
/// row appeared meanwhile, or a replace on the ETag just read; renewing and releasing are conditional on the ETag too,
/// so two runs racing for a free or expired lease end with exactly one holder.
/// </summary>
internal sealed class TableLeases(TableClient table, string pairId) : ILeaseStore
{
    public const string RowKey = "lease";

    public LeaseAttempt TryAcquire(LeaseHolder holder, DateTimeOffset now) => TableCalls.Optimistic("take the sync pair's lease", () =>
    {
        var row = Read();
        var current = row is null ? null : Holder(row);
        if (current is not null && current.HolderId != holder.HolderId && current.ExpiresAt > now) return new LeaseAttempt(false, current);
        var entity = Entity(holder);
        if (row is null) table.AddEntity(entity);
        else table.UpdateEntity(entity, row.ETag, TableUpdateMode.Replace);
        return new LeaseAttempt(true, holder);
    });

    public bool Renew(string holderId, DateTimeOffset expiresAt) => TableCalls.Optimistic("renew the sync pair's lease", () =>
    {
        var row = Read();
        if (row is null || row.GetString("HolderId") != holderId) return false;
        table.UpdateEntity(new TableEntity(pairId, RowKey) { ["ExpiresAt"] = StateTime.Format(expiresAt) }, row.ETag, TableUpdateMode.Merge);
        return true;
    });

    public void Release(string holderId) => TableCalls.Optimistic("release the sync pair's lease", () =>
    {
        var row = Read();
        if (row is null || row.GetString("HolderId") != holderId) return;
        table.DeleteEntity(pairId, RowKey, row.ETag);
    });

    public LeaseHolder? Current(DateTimeOffset now)
    {
        var row = Read();
        return row is not null && Holder(row) is { } holder && holder.ExpiresAt > now ? holder : null;
    }

    private TableEntity? Read() => TableCalls.Guard("read the sync pair's lease", () =>
    {
        var found = table.GetEntityIfExists<TableEntity>(pairId, RowKey);
        return found.HasValue ? found.Value : null;
    });

    private TableEntity Entity(LeaseHolder holder) => new(pairId, RowKey)
    {
        ["HolderId"] = holder.HolderId,
        ["ProcessId"] = holder.ProcessId,
        ["HostName"] = holder.HostName,
        ["StartedAt"] = StateTime.Format(holder.StartedAt),
        ["ExpiresAt"] = StateTime.Format(holder.ExpiresAt),
    };

    private static LeaseHolder Holder(TableEntity row) => new(row.GetString("HolderId"), row.GetInt32("ProcessId") ?? 0, row.GetString("HostName"),
        StateTime.Parse(row.GetString("StartedAt")), StateTime.Parse(row.GetString("ExpiresAt")));
}
