using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using MlConnector.Engine.Connections;

namespace MlConnector.Completion;

/// <summary>Completes -Profile (and -SaveProfile) with the saved connection profiles' names.</summary>
public sealed class ProfileNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var store = ConnectionProfileStore.ForCurrentUser();
        return Completions.Matching(store.Names(), wordToComplete, name => $"Connection profile '{name}' ({store.PathOf(name)})");
    }
}
