using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using MlConnector.Connections;

namespace MlConnector.Completion;

/// <summary>Completes -Vault with the registered SecretManagement vaults (Get-SecretVault); nothing when SecretManagement is missing.</summary>
public sealed class VaultNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => Completions.Matching(SecretVault.VaultNames(), wordToComplete, name => $"SecretManagement vault '{name}'");
}
