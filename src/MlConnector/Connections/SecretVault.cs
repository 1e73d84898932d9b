using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Net;
using System.Security;
using MlConnector.Engine.Security;
using MlConnector.Infrastructure;

namespace MlConnector.Connections;

/// <summary>
/// Reads and stores client secrets through Microsoft.PowerShell.SecretManagement's Get-Secret/Set-Secret.
/// Always called on the pipeline thread (they are PowerShell commands). The commands run as commands with bound
/// parameters in a nested pipeline, never as script text in the caller's scope, so no caller variable is touched.
/// The module is optional, so its absence is a clear error rather than a load failure.
/// </summary>
internal sealed class SecretVault(PSCmdlet cmdlet, string errorIdPrefix)
{
    public const string ModuleName = "Microsoft.PowerShell.SecretManagement";

    /// <summary>Throws a terminating error naming Install-Module when SecretManagement is not available.</summary>
    public void RequireAvailable()
    {
        if (Find("Get-Secret") is not null && Find("Set-Secret") is not null) return;
        cmdlet.ThrowTerminatingError(ErrorRecords.Create(
            new InvalidOperationException(
                $"-Vault and saved profiles keep secrets with {ModuleName}, which is not installed. " +
                $"Run 'Install-Module {ModuleName}' (and a vault extension such as Microsoft.PowerShell.SecretStore, then Register-SecretVault), " +
                "or pass the secret with -Credential or -ClientSecret."),
            errorIdPrefix + "SecretManagementMissing", ErrorCategory.NotInstalled, ModuleName,
            $"Install-Module {ModuleName}, register a vault with Register-SecretVault, or pass the secret with -Credential or -ClientSecret."));
    }

    /// <summary>The secret's text; a terminating error when it cannot be read. A null <paramref name="vault"/> searches the registered vaults, the default first.</summary>
    public SecretText Read(string? vault, string name)
    {
        RequireAvailable();
        Collection<PSObject> result;
        try
        {
            result = Invoke("Get-Secret", Parameters(vault, name));
        }
        catch (RuntimeException e)
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.Create(
                new ItemNotFoundException($"Secret '{name}' could not be read from vault '{vault}': {Reason(e)}", e),
                errorIdPrefix + "SecretNotFound", ErrorCategory.ObjectNotFound, name,
                $"Check the vault and secret names (Get-SecretInfo -Vault {vault}), or store the secret again with Set-Secret -Name {name} -Vault {vault}."));
            throw;
        }
        var text = Text(result);
        if (string.IsNullOrEmpty(text))
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.Create(
                new InvalidDataException($"Secret '{name}' in vault '{vault}' is not a string, SecureString or PSCredential holding the client secret."),
                errorIdPrefix + "SecretUnusable", ErrorCategory.InvalidData, name,
                $"Store the client secret's value in the vault: Set-Secret -Name {name} -Vault {vault} -Secret (Read-Host -AsSecureString)."));
        }
        return new SecretText(text!);
    }

    /// <summary>The secret's text, or null when SecretManagement is missing or the secret cannot be read (not there, vault locked).</summary>
    public SecretText? TryRead(string? vault, string name)
    {
        if (Find("Get-Secret") is null) return null;
        try
        {
            return Text(Invoke("Get-Secret", Parameters(vault, name))) is { Length: > 0 } text ? new SecretText(text) : null;
        }
        catch (RuntimeException)
        {
            return null;
        }
    }

    /// <summary>Stores the secret; a null <paramref name="vault"/> is the default vault.</summary>
    public void Store(string? vault, string name, SecureString secret)
    {
        RequireAvailable();
        var parameters = Parameters(vault, name);
        parameters["Secret"] = secret;
        Invoke("Set-Secret", parameters);
    }

    private static Dictionary<string, object> Parameters(string? vault, string name)
    {
        var parameters = new Dictionary<string, object> { ["Name"] = name };
        if (!string.IsNullOrEmpty(vault)) parameters["Vault"] = vault;
        return parameters;
    }

    private static string? Text(Collection<PSObject> result) => (result.Count == 1 ? result[0].BaseObject : null) switch
    {
        SecureString secure => new NetworkCredential(string.Empty, secure).Password,
        PSCredential credential => credential.GetNetworkCredential().Password,
        string plain => plain,
        _ => null,
    };

    /// <summary>The registered vaults' names (Get-SecretVault); none when SecretManagement is missing or fails.</summary>
    public static IReadOnlyList<string> VaultNames()
    {
        try
        {
            using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
            shell.AddCommand(ModuleName + "\\Get-SecretVault").AddParameter("ErrorAction", ActionPreference.Ignore);
            // A property value may come wrapped in a PSObject (script-made vault objects): take its text.
            return shell.Invoke().Select(v => v.Properties["Name"]?.Value?.ToString()).OfType<string>().Where(n => n.Length > 0).ToArray();
        }
        catch (RuntimeException)
        {
            return Array.Empty<string>();
        }
    }

    private CommandInfo? Find(string command) =>
        cmdlet.InvokeCommand.GetCommand(ModuleName + "\\" + command, CommandTypes.Cmdlet | CommandTypes.Function);

    /// <summary>Runs one SecretManagement command with its parameters bound by name; an error it writes is thrown.</summary>
    private static Collection<PSObject> Invoke(string command, Dictionary<string, object> parameters)
    {
        using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand(ModuleName + "\\" + command).AddParameters(parameters).AddParameter("ErrorAction", ActionPreference.Stop);
        var output = shell.Invoke();
        if (shell.Streams.Error.Count > 0) throw new RuntimeException(shell.Streams.Error[0].ToString(), shell.Streams.Error[0].Exception);
        return output;
    }

    private static string Reason(RuntimeException e) => e is ActionPreferenceStopException { ErrorRecord: { } record } ? record.ToString() : e.Message;
}
