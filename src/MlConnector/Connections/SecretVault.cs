using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Net;
using System.Security;
using MlConnector.Engine.Security;
using MlConnector.Infrastructure;

namespace MlConnector.Connections;

/// <summary>
/// Reads and stores client secrets through Microsoft.PowerShell.SecretManagement's Get-Secret/Set-Secret.
/// Always called on the pipeline thread (they are PowerShell commands); the module is optional, so its
/// absence is a clear error rather than a load failure.
/// </summary>
internal sealed class SecretVault(PSCmdlet cmdlet, string errorIdPrefix)
{
    public const string ModuleName = "Microsoft.PowerShell.SecretManagement";

    /// <summary>Throws a terminating error naming Install-Module when SecretManagement is not available.</summary>
    public void RequireAvailable()
    {
        var found = cmdlet.InvokeCommand.InvokeScript(
            $"Get-Command -Name Get-Secret, Set-Secret -Module {ModuleName} -ErrorAction Ignore");
        if (found.Count >= 2) return;
        cmdlet.ThrowTerminatingError(ErrorRecords.Create(
            new InvalidOperationException(
                $"-Vault and saved profiles keep secrets with {ModuleName}, which is not installed. " +
                $"Run 'Install-Module {ModuleName}' (and a vault extension such as Microsoft.PowerShell.SecretStore, then Register-SecretVault), " +
                "or pass the secret with -Credential or -ClientSecret."),
            errorIdPrefix + "SecretManagementMissing", ErrorCategory.NotInstalled, ModuleName));
    }

    public SecretText Read(string vault, string name)
    {
        RequireAvailable();
        Collection<PSObject> result;
        try
        {
            result = Invoke("param($n, $v) " + ModuleName + "\\Get-Secret -Name $n -Vault $v -ErrorAction Stop", name, vault);
        }
        catch (RuntimeException e)
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.Create(
                new ItemNotFoundException($"Secret '{name}' could not be read from vault '{vault}': {e.Message}", e),
                errorIdPrefix + "SecretNotFound", ErrorCategory.ObjectNotFound, name));
            throw;
        }
        var value = result.Count == 1 ? result[0].BaseObject : null;
        var text = value switch
        {
            SecureString secure => new NetworkCredential(string.Empty, secure).Password,
            PSCredential credential => credential.GetNetworkCredential().Password,
            string plain => plain,
            _ => null,
        };
        if (string.IsNullOrEmpty(text))
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.Create(
                new InvalidDataException($"Secret '{name}' in vault '{vault}' is not a string, SecureString or PSCredential holding the client secret."),
                errorIdPrefix + "SecretUnusable", ErrorCategory.InvalidData, name));
        }
        return new SecretText(text!);
    }

    public void Store(string vault, string name, SecureString secret)
    {
        RequireAvailable();
        Invoke("param($n, $s, $v) " + ModuleName + "\\Set-Secret -Name $n -Secret $s -Vault $v -ErrorAction Stop", name, secret, vault);
    }

    private Collection<PSObject> Invoke(string script, params object[] arguments)
        => cmdlet.InvokeCommand.InvokeScript(false, ScriptBlock.Create(script), null, arguments);
}
