using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;

namespace MlConnector.Engine.Sync.BcToMarketo;

/// <summary>
/// What a run establishes before it writes anything to Marketo: the mapping checked against Marketo describe, and
/// whether Marketo Companies are writable. <see cref="Confirmed"/> when probed in this run: an admin can switch CRM
/// sync on or off between two runs of one connection, so a run that writes confirms it first (see ConfirmAsync).
/// </summary>
internal sealed record MarketoScope(bool CompaniesWritable, bool Confirmed)
{
    /// <summary>
    /// Before a run reads anything, whether or not any record changed: a mapped field Marketo does not have, or a lead
    /// field it cannot write, stops the run here. A company field read-only in describe may only mean that CRM sync is
    /// on; <see cref="OpenAsync"/> decides that with a probe once the run has a record to send.
    /// </summary>
    public static async Task CheckMappingAsync(SyncContext context, BcToMarketoMapper mapper, MarketoFields fields, CancellationToken cancellationToken)
    {
        var writable = context.Marketo.CompaniesWritable != false;
        var leadFields = await fields.LeadsAsync(cancellationToken).ConfigureAwait(false);
        var companyFields = writable ? await fields.CompaniesAsync(cancellationToken).ConfigureAwait(false) : [];
        try
        {
            MappingValidator.Validate(mapper.Mapping, leadFields, companyFields, writable);
        }
        catch (MappingException e) when (writable && e.ErrorId == "MappingTargetFieldReadOnly")
        {
            MappingValidator.Validate(mapper.Mapping, leadFields, [], companiesWritable: false);
        }
    }

    /// <summary>
    /// Probes when the connection does not know, or last saw companies read-only (CRM sync may have been switched off
    /// since, and the companies it skipped are then written). Writable companies are trusted until the run writes.
    /// </summary>
    public static async Task<MarketoScope> OpenAsync(SyncContext context, BcToMarketoMapper mapper, MarketoFields fields, CancellationToken cancellationToken)
    {
        if (context.Marketo.CompaniesWritable != true)
            return await ValidatedAsync(context, mapper, fields, await ProbeAsync(context, cancellationToken).ConfigureAwait(false), confirmed: true, cancellationToken).ConfigureAwait(false);
        try
        {
            return await ValidatedAsync(context, mapper, fields, writable: true, confirmed: false, cancellationToken).ConfigureAwait(false);
        }
        catch (MappingException e) when (e.ErrorId == "MappingTargetFieldReadOnly")
        {
            // Company fields read-only in describe may just mean CRM sync was switched on since: ask before refusing the mapping.
            if (await ProbeAsync(context, cancellationToken).ConfigureAwait(false)) throw;
            return await ValidatedAsync(context, mapper, fields, writable: false, confirmed: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Probes afresh; validates the mapping again when the answer changed (company fields are checked only while writable).</summary>
    public async Task<MarketoScope> ConfirmAsync(SyncContext context, BcToMarketoMapper mapper, MarketoFields fields, CancellationToken cancellationToken)
    {
        var writable = await ProbeAsync(context, cancellationToken).ConfigureAwait(false);
        return writable == CompaniesWritable ? this with { Confirmed = true }
            : await ValidatedAsync(context, mapper, fields, writable, confirmed: true, cancellationToken).ConfigureAwait(false);
    }

    private static Task<bool> ProbeAsync(SyncContext context, CancellationToken cancellationToken) => context.Marketo.ProbeCompaniesWritableAsync(cancellationToken);

    private static async Task<MarketoScope> ValidatedAsync(SyncContext context, BcToMarketoMapper mapper, MarketoFields fields, bool writable, bool confirmed,
        CancellationToken cancellationToken)
    {
        var leadFields = await fields.LeadsAsync(cancellationToken).ConfigureAwait(false);
        var companyFields = writable ? await fields.CompaniesAsync(cancellationToken).ConfigureAwait(false) : [];
        MappingValidator.Validate(mapper.Mapping, leadFields, companyFields, writable);
        if (!writable) context.Log.Warning(EngineWarnings.CrmSyncEnabled, "Marketo Companies are read-only on this instance (CRM sync): company writes are reported as Skipped (CrmSyncEnabled); leads are still written.");
        return new MarketoScope(writable, confirmed);
    }
}

/// <summary>Marketo describe of leads and companies, each read at most once per sync (fields do not change within a run).</summary>
internal sealed class MarketoFields(Marketo.MarketoClient marketo)
{
    private IReadOnlyList<TargetField>? _leads;
    private IReadOnlyList<TargetField>? _companies;

    public async ValueTask<IReadOnlyList<TargetField>> LeadsAsync(CancellationToken cancellationToken)
        => _leads ??= Targets(await marketo.DescribeLeadsAsync(cancellationToken).ConfigureAwait(false));

    public async ValueTask<IReadOnlyList<TargetField>> CompaniesAsync(CancellationToken cancellationToken)
        => _companies ??= Targets(await marketo.DescribeCompaniesAsync(cancellationToken).ConfigureAwait(false));

    private static TargetField[] Targets(IEnumerable<Marketo.MarketoField> described) => described.Select(f => new TargetField(f.Name, !f.ReadOnly)).ToArray();
}
