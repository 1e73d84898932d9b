using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using MlConnector.Connections;
using MlConnector.Engine.Connections;

namespace MlConnector.Completion;

/// <summary>
/// Completes -Company with the companies of the Business Central environment this runspace is connected to (as
/// Business Central listed them when the connection was made, so a tab press costs no call); when not connected,
/// with the companies named in saved profiles.
/// </summary>
public sealed class CompanyNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (DefaultConnection.Current?.BusinessCentral is { } session)
        {
            var companies = session.Client.Companies;
            return Completions.Matching(companies.Select(c => c.Name), wordToComplete, name =>
            {
                var company = companies.First(c => c.Name == name);
                return $"{company.DisplayName} ({company.Id}) in environment '{session.Settings.Environment}'";
            });
        }
        var store = ConnectionProfileStore.ForCurrentUser();
        var saved = store.Names().Select(n => SafeFind(store, n)?.BusinessCentral?.Company).OfType<string>().Where(c => c.Length > 0);
        return Completions.Matching(saved, wordToComplete, name => $"Company '{name}' from a saved profile");
    }

    private static ConnectionProfile? SafeFind(ConnectionProfileStore store, string name)
    {
        try { return store.Find(name); }
        catch (Engine.MlConnectorException) { return null; } // an unreadable profile offers nothing
    }
}
