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
    /// Probes when the connection does not know, or last saw companies read-only (CRM sync may have been switched off
    /// since, and the companies it skipped are then written). Writable companies are trusted until the run writes.
    /// </summary>
    public static async Task<MarketoScope> OpenAsync(SyncContext context, BcToMarketoMapper mapper, CancellationToken cancellationToken)
    {
        if (context.Marketo.CompaniesWritable != true)
            return await ValidatedAsync(context, mapper, await ProbeAsync(context, cancellationToken).ConfigureAwait(false), confirmed: true, cancellationToken).ConfigureAwait(false);
        try
        {
            return await ValidatedAsync(context, mapper, writable: true, confirmed: false, cancellationToken).ConfigureAwait(false);
        }
        catch (MappingException e) when (e.ErrorId == "MappingTargetFieldReadOnly")
        {
            // Company fields read-only in describe may just mean CRM sync was switched on since: ask before refusing the mapping.
            if (await ProbeAsync(context, cancellationToken).ConfigureAwait(false)) throw;
            return await ValidatedAsync(context, mapper, writable: false, confirmed: true, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Probes afresh; validates the mapping again when the answer changed (company fields are checked only while writable).</summary>
    public async Task<MarketoScope> ConfirmAsync(SyncContext context, BcToMarketoMapper mapper, CancellationToken cancellationToken)
    {
        var writable = await ProbeAsync(context, cancellationToken).ConfigureAwait(false);
        return writable == CompaniesWritable ? this with { Confirmed = true }
            : await ValidatedAsync(context, mapper, writable, confirmed: true, cancellationToken).ConfigureAwait(false);
    }

    private static Task<bool> ProbeAsync(SyncContext context, CancellationToken cancellationToken) => context.Marketo.ProbeCompaniesWritableAsync(cancellationToken);

    private static async Task<MarketoScope> ValidatedAsync(SyncContext context, BcToMarketoMapper mapper, bool writable, bool confirmed, CancellationToken cancellationToken)
    {
        var leadFields = await context.Marketo.DescribeLeadsAsync(cancellationToken).ConfigureAwait(false);
        var companyFields = writable ? await context.Marketo.DescribeCompaniesAsync(cancellationToken).ConfigureAwait(false) : [];
        MappingValidator.Validate(mapper.Mapping,
            leadFields.Select(f => new TargetField(f.Name, !f.ReadOnly)).ToArray(),
            companyFields.Select(f => new TargetField(f.Name, !f.ReadOnly)).ToArray(),
            writable);
        if (!writable) context.Log.Warning(EngineWarnings.CrmSyncEnabled, "Marketo Companies are read-only on this instance (CRM sync): company writes are reported as Skipped (CrmSyncEnabled); leads are still written.");
        return new MarketoScope(writable, confirmed);
    }
}
