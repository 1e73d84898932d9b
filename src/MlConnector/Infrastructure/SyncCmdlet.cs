using System.Management.Automation;
using MlConnector.Connections;
using MlConnector.Engine.Audit;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Mapping;
using MlConnector.Engine.Sync.BcToMarketo;
using MlConnector.Engine.Sync.MarketoToBc;
using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Infrastructure;

/// <summary>
/// What the sync cmdlets share: -StateStore, -StatePath and -AuditPath (defaults under the MlConnector home folder),
/// opening the state store, building the engine's SyncContext, one warning per distinct engine warning, and mapping
/// failures raised mid-run as terminating errors whose target is the field they name.
/// </summary>
public abstract class SyncCmdlet : ConnectedCmdlet
{
    /// <summary>The SQLite state database; default &lt;home&gt;/state/mlconnector.db.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    /// <summary>
    /// The state store: a SQLite file, https://&lt;account&gt;.table.core.windows.net (Azure Table Storage with the Automation
    /// managed identity) or vault:&lt;vault&gt;/&lt;secret&gt; (a connection string or SAS URL in a vault); default: the connection's
    /// (Connect-MlStateStore), else the SQLite database in the home.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StateStore { get; set; }

    /// <summary>The folder of the JSONL audit trail; default &lt;home&gt;/audit, or the audit table of a table state store.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AuditPath { get; set; }

    /// <summary>Seconds to wait while another run of the same sync pair holds it; default 0: stop at once with a SyncPairBusy error.</summary>
    [Parameter]
    [ValidateRange(0, 86400)]
    public int LeaseTimeout { get; set; }

    /// <summary>Whether a warning about CRM sync has been written in this call (so the cmdlet adds none of its own).</summary>
    private protected bool WarnedAboutCrmSync { get; private set; }

    /// <summary>The state store this call works on: -StateStore, -StatePath, the connection's, else the SQLite database in the home.</summary>
    private protected StateStoreReference ResolvedStateStore
        => StateStoreSelection.Resolve(this, StateStore, StatePath, Connection ?? DefaultConnection.Current, ErrorIdPrefix);

    /// <summary>
    /// Opens (and creates, when missing) the state store. With <paramref name="createIfMissing"/> false — a -WhatIf
    /// plan, or a listing — nothing is created: a missing SQLite file is read as an empty store in memory, a table
    /// store's missing tables as empty tables.
    /// </summary>
    private protected IStateStore OpenState(bool createIfMissing = true)
    {
        var store = StateStoreSelection.Open(this, ResolvedStateStore, ErrorIdPrefix, createIfMissing);
        WriteVerbose("State store: " + store.Location);
        return store;
    }

    /// <summary>-AuditPath, else the table store's audit table, else the home's audit folder.</summary>
    private protected IAuditTrail AuditFor(IStateStore store) => StateStoreSelection.AuditFor(this, store, AuditPath);

    /// <summary>The sync pair of a connection to both services: its key, BC company name and company key prefix.</summary>
    private protected static PairTarget PairOf(MlConnection connection)
    {
        var bc = connection.BusinessCentral!;
        return new PairTarget(SyncPairs.KeyOf(bc.Client, connection.Marketo!.Client), bc.Client.Company.Name, bc.Settings.CompanyKeyPrefix ?? "");
    }

    /// <summary>
    /// Runs engine work for one sync pair through the pump. Under -WhatIf on the pair's state as it stands, writing
    /// nothing. Otherwise the pair is registered first (adopting state from before pairs, once), its lease is taken —
    /// waiting up to -LeaseTimeout while another run holds it — and held until the work ends; its last run is noted.
    /// Either way a pair whose company keys could collide with another pair's in the same Marketo is refused first.
    /// </summary>
    private protected void RunForPair(MlConnection connection, IStateStore store, PairTarget pair, bool whatIf, IProgress<SyncProgress>? progress,
        Func<SyncContext, CancellationToken, Task> work)
    {
        var log = new OnceLog(this, progress as SyncProgressReporter);
        var audit = AuditFor(store);
        RunSync(log, async cancel =>
        {
            if (whatIf)
            {
                SyncPairs.CheckCompanyKeys(store, pair.Key, pair.BcCompanyName, pair.CompanyKeyPrefix);
                await work(CreateContext(connection, SyncPairs.Peek(store, pair.Key), audit, log, progress), cancel).ConfigureAwait(false);
                return;
            }
            var registered = SyncPairs.Register(store, pair.Key, pair.BcCompanyName, pair.CompanyKeyPrefix, TimeProvider.System, log);
            SyncPairs.ReportCreatedStore(store, audit, log);
            var state = store.Pair(registered.PairId);
            var options = SyncLeaseOptions.FromEnvironment(TimeSpan.FromSeconds(LeaseTimeout));
            await using (var lease = await SyncLease.AcquireAsync(state.Lease, $"{registered.PairId} ({pair.BcCompanyName} <-> Marketo {pair.Key.MarketoInstance})",
                options, TimeProvider.System, log, cancel).ConfigureAwait(false))
            {
                await lease.RunAsync(token => work(CreateContext(connection, state, audit, log, progress), token), cancel).ConfigureAwait(false);
            }
            store.RecordRun(state.PairId, DateTimeOffset.UtcNow);
        });
    }

    private static SyncContext CreateContext(MlConnection connection, IPairState state, IAuditTrail audit, IEngineLog log, IProgress<SyncProgress>? progress) => new()
    {
        // Absent for a replay without a BC connection: replay only sends what the queue holds.
        BusinessCentral = connection.BusinessCentral?.Client,
        Marketo = connection.Marketo!.Client,
        State = state,
        Audit = audit,
        Log = log,
        Progress = progress,
    };

    /// <summary>The BC → Marketo sync over a context, mapping by <paramref name="mapping"/> with the pair's company key prefix.</summary>
    private protected static CustomerToMarketoSync CustomerSync(SyncContext context, MappingSet mapping, PairTarget pair)
        => new(context, new BcToMarketoMapper(mapping, pair.CompanyKeyPrefix));

    /// <summary>
    /// The mappings the reverse flow works with, from -MappingPath: its own (the file's marketoToBc section) and BC → Marketo's,
    /// with which the connector's own writes are recognised.
    /// </summary>
    private protected (MappingSet Forward, MarketoToBcMapping Reverse) LoadBothMappings(string? path)
        => (MappingFile.Load(this, path, ErrorIdPrefix), MappingFile.LoadReverse(this, path, ErrorIdPrefix));

    /// <summary>
    /// The reverse flow's mapper for the pair: its company key prefix, and the prefixes of the other pairs that sync with the
    /// same Marketo instance (a lead keyed with one of those is not this pair's).
    /// </summary>
    private protected static MarketoToBcMapper ReverseMapper(MarketoToBcMapping mapping, PairTarget pair, IStateStore store)
        => new(mapping, pair.CompanyKeyPrefix, SyncPairs.ForMarketo(store, pair.Key.MarketoInstance).Where(p => p.PairId != pair.Key.PairId).Select(p => p.CompanyKeyPrefix));

    /// <summary>The Marketo → BC sync over a context (its echo suppression compares with what BC → Marketo wrote, mapped by <paramref name="forward"/>).</summary>
    private protected static LeadToBusinessCentralSync LeadSync(SyncContext context, MappingSet forward, MarketoToBcMapping reverse, PairTarget pair, IStateStore store)
        => new(context, ReverseMapper(reverse, pair, store), new BcToMarketoMapper(forward, pair.CompanyKeyPrefix));

    private protected static LeadReceiver LeadReceiver(SyncContext context, MappingSet forward, MarketoToBcMapping reverse, PairTarget pair, IStateStore store)
        => new(context, ReverseMapper(reverse, pair, store), new BcToMarketoMapper(forward, pair.CompanyKeyPrefix));

    /// <summary>
    /// Runs engine work through the pump. A MappingException (e.g. a field Marketo describe does not list) ends the
    /// cmdlet with a terminating error whose id ends in the engine's id and whose target is the field.
    /// </summary>
    private void RunSync(IEngineLog log, Func<CancellationToken, Task> work)
    {
        MappingException? mapping = null;
        RunPumped(async cancel =>
        {
            try { await work(cancel).ConfigureAwait(false); }
            catch (MappingException e) { mapping = e; }
        }, log: log);
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
    /// <remarks>A wait is a verbose line and, while it lasts, the status of the progress bar.</remarks>
    private sealed class OnceLog(SyncCmdlet cmdlet, SyncProgressReporter? progress) : IEngineLog
    {
        private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

        public void Verbose(string message) => cmdlet.QueueVerbose(message);

        public void Debug(string message) => cmdlet.QueueDebug(message);

        public void Warning(string code, string message)
        {
            lock (_warned)
            {
                // Once per code: the client and the run's scope both say when companies are read-only.
                if (!_warned.Add(code)) return;
                if (code == EngineWarnings.CrmSyncEnabled) cmdlet.WarnedAboutCrmSync = true;
            }
            cmdlet.QueueWarning(message);
        }

        public void Waiting(TimeSpan length, string cause)
        {
            cmdlet.QueueVerbose(EngineWaits.Describe(length, cause));
            progress?.Waiting(length, cause);
        }
    }
}

/// <summary>The pair a sync cmdlet works for, as the connection (or, for a replay without BC, the store) names it.</summary>
internal sealed record PairTarget(SyncPairKey Key, string? BcCompanyName, string CompanyKeyPrefix);
