using System.Management.Automation;
using MlConnector.Connections;
using MlConnector.Engine;
using MlConnector.Engine.Audit;
using MlConnector.Engine.State;
using MlConnector.Engine.State.Tables;

namespace MlConnector.Infrastructure;

/// <summary>
/// Which state store a cmdlet works on, and opening it: -StateStore when given (a SQLite path, a table endpoint for the
/// Automation managed identity, or vault:&lt;vault&gt;/&lt;secret&gt;), else -StatePath, else the store the connection names
/// (Connect-MlStateStore, a profile), else the SQLite database in the home. A vault secret is read on the pipeline
/// thread through SecretManagement; nothing secret is kept or shown.
/// </summary>
internal static class StateStoreSelection
{
    public static StateStoreReference Resolve(PSCmdlet cmdlet, string? stateStore, string? statePath, MlConnection? connection, string errorIdPrefix)
    {
        if (stateStore is not null && statePath is not null)
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.Create(new ArgumentException("-StateStore and -StatePath both name a state store: give one."),
                errorIdPrefix + "StateStoreConflict", ErrorCategory.InvalidArgument, stateStore, "Pass -StateStore (any store) or -StatePath (a SQLite file), not both."));
        }
        if (stateStore is not null) return Parse(cmdlet, stateStore, errorIdPrefix);
        if (statePath is not null) return StateStoreReference.Sqlite(LocalPaths.StatePath(cmdlet, statePath));
        if (connection?.StateStore is { } saved) return Parse(cmdlet, saved, errorIdPrefix);
        return StateStoreReference.Sqlite(LocalPaths.DefaultStatePath);
    }

    public static StateStoreReference Parse(PSCmdlet cmdlet, string text, string errorIdPrefix)
    {
        try
        {
            var reference = StateStoreReference.Parse(text);
            return reference.Kind == StateStoreKind.Sqlite ? StateStoreReference.Sqlite(LocalPaths.StatePath(cmdlet, reference.Path)) : reference;
        }
        catch (MlConnectorException e)
        {
            // The text may hold a secret the parser refused: the error names the parameter, not the value.
            cmdlet.ThrowTerminatingError(ErrorRecords.From(e, errorIdPrefix, "-StateStore"));
            throw;
        }
    }

    /// <summary>
    /// Opens the store, or ends the cmdlet with a terminating error (id ...StateStoreUnavailable when it cannot be reached).
    /// A reader passes <paramref name="create"/> false: a table store's missing tables are then not created.
    /// </summary>
    public static IStateStore Open(PSCmdlet cmdlet, StateStoreReference reference, string errorIdPrefix, bool create = true)
    {
        try
        {
            return OpenOrThrow(cmdlet, reference, errorIdPrefix, create);
        }
        catch (Exception e) when (e is MlConnectorException or ArgumentException)
        {
            cmdlet.ThrowTerminatingError(ErrorFor(e, reference, errorIdPrefix));
            throw;
        }
    }

    /// <summary>Opens the store; an engine failure is thrown for the caller to report (a secret the vault lacks still ends the cmdlet).</summary>
    public static IStateStore OpenOrThrow(PSCmdlet cmdlet, StateStoreReference reference, string errorIdPrefix, bool create = true)
        => reference.Open((vault, name) => new SecretVault(cmdlet, errorIdPrefix).Read(vault, name), create);

    public static ErrorRecord ErrorFor(Exception failure, StateStoreReference reference, string errorIdPrefix) => failure is StateStoreException
        ? ErrorRecords.Create(failure, errorIdPrefix + "StateStoreUnavailable", ErrorCategory.ResourceUnavailable, reference.ToString(),
            reference.IsTable
                ? "Check the storage account's endpoint, that the identity or secret may use its tables, and the network; or pass another -StateStore."
                : "Check that the state file's folder is writable and no other program holds the file, or pass another -StatePath.")
        : ErrorRecords.From(failure, errorIdPrefix, reference.ToString());

    /// <summary>Where a run on <paramref name="store"/> writes its audit: -AuditPath, else a table store's audit table, else the home's audit folder.</summary>
    public static IAuditTrail AuditFor(PSCmdlet cmdlet, IStateStore store, string? auditPath) =>
        auditPath is null && store is TableStateStore tables ? tables.Audit : new AuditLog(LocalPaths.AuditPath(cmdlet, auditPath));
}
