using MlConnector.Engine.Mapping;

namespace MlConnector.Engine.Sync;

/// <summary>
/// What a run establishes before it writes anything: the mapping checked against Marketo describe,
/// and whether Marketo Companies are writable (learned once per connection).
/// </summary>
internal sealed record SyncScope(bool CompaniesWritable)
{
    public static async Task<SyncScope> OpenAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var writable = context.Marketo.CompaniesWritable ?? await context.Marketo.ProbeCompaniesWritableAsync(cancellationToken).ConfigureAwait(false);
        var leadFields = await context.Marketo.DescribeLeadsAsync(cancellationToken).ConfigureAwait(false);
        var companyFields = writable ? await context.Marketo.DescribeCompaniesAsync(cancellationToken).ConfigureAwait(false) : [];
        MappingValidator.Validate(context.Mapper.Mapping,
            leadFields.Select(f => new TargetField(f.Name, !f.ReadOnly)).ToArray(),
            companyFields.Select(f => new TargetField(f.Name, !f.ReadOnly)).ToArray(),
            writable);
        if (!writable) context.Log.Warning("Marketo Companies are read-only on this instance (CRM sync): company writes are reported as Skipped (CrmSyncEnabled); leads are still written.");
        return new SyncScope(writable);
    }
}
