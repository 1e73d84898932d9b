using System.Net;
using MlConnector.Engine.Notifications;
using MlConnector.Engine.Security;
using MlConnector.Engine.State;

namespace MlConnector.Connections;

/// <summary>
/// Where the cmdlets get subscription clientStates: a pair's generated one, kept in a SecretManagement vault under
/// <see cref="BcSubscriptionManager.ClientStateSecretName"/>, or the caller's -ClientState. Vault calls are PowerShell
/// commands: every method runs on the pipeline thread.
/// </summary>
internal sealed class ClientStates(SecretVault vault, SecretText? given)
{
    /// <summary>The vault through <paramref name="cmdlet"/>, and the caller's -ClientState when one was given.</summary>
    public static ClientStates For(System.Management.Automation.PSCmdlet cmdlet, string errorIdPrefix, System.Security.SecureString? given)
        => new(new SecretVault(cmdlet, errorIdPrefix), given is null || given.Length == 0 ? null : new SecretText(new NetworkCredential(string.Empty, given).Password));

    /// <summary>The clientState kept at <paramref name="location"/>, or null when it cannot be had.</summary>
    public SecretText? Resolve(ClientStateLocation location) => location.InVault ? vault.TryRead(location.Vault, location.SecretName!) : given;

    /// <summary>
    /// Resolves every location now, for work that runs off the pipeline thread (a listener). A location not resolved
    /// here is looked up by its secret name: a subscription registered later keeps its pair's secret.
    /// </summary>
    public Func<ClientStateLocation, SecretText?> ResolveAll(IEnumerable<ClientStateLocation> locations)
    {
        var resolved = locations.Distinct().ToDictionary(l => l, Resolve);
        var byName = resolved.Where(r => r.Key.InVault && r.Value is not null).GroupBy(r => r.Key.SecretName!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        return location => resolved.TryGetValue(location, out var known) ? known
            : location.InVault ? byName.GetValueOrDefault(location.SecretName!)
            : given;
    }

    /// <summary>
    /// The clientState a registration sends and where it is kept: the caller's (kept in <paramref name="vaultName"/> when
    /// one is named, else left with the caller), or the pair's generated one — read back when the vault has it, so every
    /// subscription of the pair shares it, else generated (32 random bytes) and stored. Nothing is stored when <paramref name="store"/> is false.
    /// </summary>
    public (SecretText ClientState, ClientStateLocation Location, bool Generated) ForPair(string pairId, string? vaultName, bool store)
    {
        var name = BcSubscriptionManager.ClientStateSecretName(pairId);
        if (given is not null)
        {
            if (vaultName is null) return (given, ClientStateLocation.Caller, false);
            if (store) vault.Store(vaultName, name, Secure(given));
            return (given, new ClientStateLocation(vaultName, name), false);
        }
        vault.RequireAvailable();
        if (vault.TryRead(vaultName, name) is { } kept) return (kept, new ClientStateLocation(vaultName, name), false);
        var generated = BcSubscriptionManager.NewClientState();
        if (store) vault.Store(vaultName, name, Secure(generated));
        return (generated, new ClientStateLocation(vaultName, name), true);
    }

    private static System.Security.SecureString Secure(SecretText text) => new NetworkCredential(string.Empty, text.Reveal()).SecurePassword;
}
