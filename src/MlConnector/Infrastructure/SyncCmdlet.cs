using System.Management.Automation;
using MlConnector.Connections;
using MlConnector.Engine.Audit;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Infrastructure;

/// <summary>
/// What the sync cmdlets share: -StatePath and -AuditPath (defaults under the MlConnector home folder), opening
/// the state store, building the engine's SyncContext, one warning per distinct engine warning, and mapping
/// failures raised mid-run as terminating errors whose target is the field they name.
/// </summary>
public abstract class SyncCmdlet : ConnectedCmdlet
{
    /// <summary>The SQLite state database; default &lt;home&gt;/state/mlconnector.db.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    /// <summary>The folder of the JSONL audit trail; default &lt;home&gt;/audit.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AuditPath { get; set; }

    private protected string ResolvedStatePath => LocalPaths.StatePath(this, StatePath);

    private protected string ResolvedAuditPath => LocalPaths.AuditPath(this, AuditPath);

    /// <summary>Whether a warning about CRM sync has been written in this call (so the cmdlet adds none of its own).</summary>
    private protected bool WarnedAboutCrmSync { get; private set; }

    private protected SqliteStateStore OpenState()
    {
        var path = ResolvedStatePath;
        try
        {
            return SqliteStateStore.Open(path);
        }
        catch (StateStoreException e)
        {
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorIdPrefix + "StateStoreUnavailable", ErrorCategory.ResourceUnavailable, path));
            throw;
        }
    }

    private protected SyncContext CreateContext(MlConnection connection, SqliteStateStore state, IProgress<SyncProgress>? progress) => new()
    {
        // Absent for a replay without a BC connection: replay only sends what the queue holds.
        BusinessCentral = connection.BusinessCentral?.Client,
        Marketo = connection.Marketo!.Client,
        State = state,
        Audit = new AuditLog(ResolvedAuditPath),
        Log = new OnceLog(this),
        Progress = progress,
    };

    /// <summary>The BC → Marketo sync over a context, mapping by <paramref name="mapping"/>.</summary>
    private protected static CustomerToMarketoSync CustomerSync(SyncContext context, MappingSet mapping) => new(context, new BcToMarketoMapper(mapping));

    /// <summary>
    /// Runs engine work through the pump. A MappingException (e.g. a field Marketo describe does not list) ends the
    /// cmdlet with a terminating error whose id ends in the engine's id and whose target is the field.
    /// </summary>
    private protected void RunSync(Func<CancellationToken, Task> work)
    {
        MappingException? mapping = null;
        RunPumped(async cancel =>
        {
            try { await work(cancel).ConfigureAwait(false); }
            catch (MappingException e) { mapping = e; }
        });
        if (mapping is not null) ThrowTerminatingError(ErrorRecords.From(mapping, ErrorIdPrefix, mapping.Field));
    }

    /// <summary>Asks ShouldProcess once and tells whether the answer was "no" because of -WhatIf.</summary>
    private protected bool ShouldProcessRun(string target, string action, out bool whatIf)
    {
        var description = $"Performing the operation \"{action}\" on target \"{target}\".";
        var go = ShouldProcess(description, $"Are you sure you want to perform this action?\n{description}", "Confirm", out var reason);
        whatIf = !go && reason == ShouldProcessReason.WhatIf;
        return go;
    }

    /// <summary>The engine's log: verbose/debug through, each distinct warning once per call (two passes of a run repeat them).</summary>
    private sealed class OnceLog(SyncCmdlet cmdlet) : IEngineLog
    {
        private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

        public void Verbose(string message) => cmdlet.QueueVerbose(message);

        public void Debug(string message) => cmdlet.QueueDebug(message);

        public void Warning(string code, string message)
        {
            lock (_warned)
            {
                if (!_warned.Add(message)) return;
                if (code == EngineWarnings.CrmSyncEnabled) cmdlet.WarnedAboutCrmSync = true;
            }
            cmdlet.QueueWarning(message);
        }
    }
}
