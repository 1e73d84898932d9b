using System.Globalization;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>
/// Compares planned records with Marketo's current values, read in calls of at most 300 keys through the client's
/// quota gate. Records queued to be sent say Create (Marketo lacks them), Update (with the fields that differ) or
/// Unchanged; records the content hashes call unchanged say what the run will do about Marketo's values.
/// </summary>
internal sealed class MarketoDiff
{
    private readonly MarketoClient _marketo;

    public MarketoDiff(MarketoClient marketo) => _marketo = marketo;

    /// <summary>One compared record: its plan row, and whether Marketo holds something else (or nothing).</summary>
    public sealed record Compared(MarketoRecord Record, SyncPlanRow Row, bool Differs);

    public static SyncPlanRow FromResult(SyncResult result) => new()
    {
        SourceType = result.SourceType, SourceNumber = result.SourceNumber, TargetType = result.TargetType, TargetKey = result.TargetKey,
        Action = result.Action == SyncAction.Unchanged ? PlannedAction.Unchanged : PlannedAction.Skip, Reason = result.Reason, MarketoId = result.MarketoId,
    };

    /// <param name="sentWhenDifferent">
    /// For records the hashes call unchanged: whether this run sends them when Marketo differs (named customers) or
    /// leaves them (Unchanged, reason MarketoDiffers). Records queued to be sent are sent either way.
    /// </param>
    public async Task<IReadOnlyList<Compared>> CompareAsync(IReadOnlyList<MarketoRecord> records, bool sentWhenDifferent, CancellationToken cancellationToken)
    {
        var compared = new List<Compared>(records.Count);
        foreach (var group in records.GroupBy(r => r.TargetType))
        {
            foreach (var batch in group.Chunk(MarketoLimits.MaxBatch))
            {
                var current = await ReadCurrentAsync(group.Key, batch, cancellationToken).ConfigureAwait(false);
                compared.AddRange(batch.Select(record => Compare(record, current.GetValueOrDefault(Normalize(record)), sentWhenDifferent)));
            }
        }
        return compared;
    }

    private async Task<Dictionary<string, IReadOnlyDictionary<string, object?>>> ReadCurrentAsync(string targetType, MarketoRecord[] batch, CancellationToken cancellationToken)
    {
        var fields = batch.SelectMany(r => r.Fields.Keys).Append("id").Distinct(StringComparer.Ordinal).ToArray();
        var keyField = targetType == MarketoRecord.Company ? "externalCompanyId" : "email";
        var keys = batch.Select(r => r.Key).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        var stream = targetType == MarketoRecord.Company
            ? _marketo.GetCompaniesByFilterAsync(keyField, keys, fields, cancellationToken)
            : _marketo.GetLeadsByFilterAsync(keyField, keys, fields, cancellationToken);
        var found = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal);
        await foreach (var item in stream.ConfigureAwait(false))
        {
            if (item.TryGetValue(keyField, out var key) && Text(key) is { } text) found.TryAdd(Normalize(targetType, text), item);
        }
        return found;
    }

    private static Compared Compare(MarketoRecord record, IReadOnlyDictionary<string, object?>? current, bool sentWhenDifferent)
    {
        var marketoId = current?.GetValueOrDefault("id") is { } id ? Convert.ToInt64(id, CultureInfo.InvariantCulture) : (long?)null;
        if (record.Write == MarketoWriteKind.Delete)
        {
            // Nothing but the lead's existence matters to a delete.
            return new Compared(record, Row(record, current is null ? PlannedAction.Skip : PlannedAction.Delete, record.Reason, marketoId, []), current is not null);
        }
        var changes = record.Fields
            .Select(f => new FieldChange(f.Key, current is null ? null : Text(current.GetValueOrDefault(f.Key)), Text(f.Value)))
            .Where(c => !string.Equals(c.Current, c.Planned, StringComparison.Ordinal))
            .ToList();
        var differs = current is null || changes.Count > 0;
        PlannedAction action;
        var reason = record.Reason;
        if (current is null && record.Write == MarketoWriteKind.UpdateOnly) action = PlannedAction.Skip;
        else if (!differs) action = PlannedAction.Unchanged;
        else if (sentWhenDifferent) action = current is null ? PlannedAction.Create : PlannedAction.Update;
        else
        {
            action = PlannedAction.Unchanged;
            reason = SyncReasons.MarketoDiffers;
        }
        return new Compared(record, Row(record, action, reason, marketoId, changes), differs);
    }

    private static SyncPlanRow Row(MarketoRecord record, PlannedAction action, string? reason, long? marketoId, IReadOnlyList<FieldChange> changes) => new()
    {
        SourceType = record.SourceType, SourceNumber = record.SourceNumber, TargetType = record.TargetType, TargetKey = record.Key,
        Action = action, Reason = reason, MarketoId = marketoId, FieldChanges = changes,
    };

    private static string Normalize(MarketoRecord record) => Normalize(record.TargetType, record.Key);

    private static string Normalize(string targetType, string key) => targetType == MarketoRecord.Lead ? EmailRules.Normalize(key) : key;

    /// <summary>Culture-invariant text for comparing Marketo's JSON values with planned .NET values (1234.5 equals 1234.50).</summary>
    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s.Length == 0 ? null : s,
        decimal d => d.ToString("0.############################", CultureInfo.InvariantCulture),
        double d => ((decimal)d).ToString("0.############################", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
