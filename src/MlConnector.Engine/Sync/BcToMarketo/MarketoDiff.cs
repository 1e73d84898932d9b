using System.Globalization;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>Compares planned records with Marketo's current values (read-only calls, at most 300 keys each).</summary>
internal sealed class MarketoDiff
{
    private readonly MarketoClient _marketo;

    public MarketoDiff(MarketoClient marketo) => _marketo = marketo;

    public static SyncPlanRow FromResult(SyncResult result) => new()
    {
        SourceType = result.SourceType, SourceNumber = result.SourceNumber, TargetType = result.TargetType, TargetKey = result.TargetKey,
        Action = result.Action == SyncAction.Unchanged ? PlannedAction.Unchanged : PlannedAction.Skip, Reason = result.Reason, MarketoId = result.MarketoId,
    };

    public async Task<IReadOnlyList<SyncPlanRow>> CompareAsync(IReadOnlyList<MarketoRecord> records, CancellationToken cancellationToken)
    {
        var rows = new List<SyncPlanRow>(records.Count);
        foreach (var group in records.GroupBy(r => r.TargetType))
        {
            foreach (var batch in group.Chunk(MarketoLimits.MaxBatch))
            {
                var current = await ReadCurrentAsync(group.Key, batch, cancellationToken).ConfigureAwait(false);
                rows.AddRange(batch.Select(record => Row(record, current.GetValueOrDefault(Normalize(record)))));
            }
        }
        return rows;
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

    private static SyncPlanRow Row(MarketoRecord record, IReadOnlyDictionary<string, object?>? current)
    {
        var changes = record.Fields
            .Select(f => new FieldChange(f.Key, current is null ? null : Text(current.GetValueOrDefault(f.Key)), Text(f.Value)))
            .Where(c => !string.Equals(c.Current, c.Planned, StringComparison.Ordinal))
            .ToList();
        var action = current is null ? PlannedAction.Create : changes.Count == 0 ? PlannedAction.Unchanged : PlannedAction.Update;
        return new SyncPlanRow
        {
            SourceType = record.SourceType, SourceNumber = record.SourceNumber, TargetType = record.TargetType, TargetKey = record.Key,
            Action = action, MarketoId = current?.GetValueOrDefault("id") is { } id ? Convert.ToInt64(id, CultureInfo.InvariantCulture) : null,
            Changes = changes,
        };
    }

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
