using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>
/// What a run establishes before it writes anything to Marketo: the mapping checked against Marketo describe,
/// and whether Marketo Companies are writable (learned once per connection).
/// </summary>
internal sealed record MarketoScope(bool CompaniesWritable)
{
    public static async Task<MarketoScope> OpenAsync(SyncContext context, BcToMarketoMapper mapper, CancellationToken cancellationToken)
    {
        var writable = context.Marketo.CompaniesWritable ?? await context.Marketo.ProbeCompaniesWritableAsync(cancellationToken).ConfigureAwait(false);
        var leadFields = await context.Marketo.DescribeLeadsAsync(cancellationToken).ConfigureAwait(false);
        var companyFields = writable ? await context.Marketo.DescribeCompaniesAsync(cancellationToken).ConfigureAwait(false) : [];
        MappingValidator.Validate(mapper.Mapping,
            leadFields.Select(f => new TargetField(f.Name, !f.ReadOnly)).ToArray(),
            companyFields.Select(f => new TargetField(f.Name, !f.ReadOnly)).ToArray(),
            writable);
        if (!writable) context.Log.Warning(EngineWarnings.CrmSyncEnabled, "Marketo Companies are read-only on this instance (CRM sync): company writes are reported as Skipped (CrmSyncEnabled); leads are still written.");
        return new MarketoScope(writable);
    }
}
