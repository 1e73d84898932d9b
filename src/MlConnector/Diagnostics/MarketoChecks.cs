using MlConnector.Connections;
using MlConnector.Engine;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Marketo;
using MlConnector.Output;

namespace MlConnector.Diagnostics;

/// <summary>
/// Marketo's part of Test-MlConnection: a fresh token, describe for leads and companies, whether Companies
/// can be written (not on a CRM-synced instance), and the day's API usage when the API user may read it.
/// </summary>
internal sealed class MarketoChecks(MarketoTarget session, IEngineLog log, Action<MlConnectionCheck> emit)
{
    private const string Service = "Marketo";
    private readonly CheckRunner _runner = new(Service, emit, e => Advice(session, e));

    public async Task RunAsync(CancellationToken cancel)
    {
        MarketoClient? client = null;
        try
        {
            var signedIn = await _runner.RunAsync("Marketo.Token", async ct =>
            {
                client = await MarketoClient.ConnectAsync(session.Settings, session.Secret, log, null, ct).ConfigureAwait(false);
                return (MlCheckStatus.Passed, $"Marketo identity issued a token to custom service '{session.Settings.ClientId}' of instance {session.Settings.MunchkinId}.");
            }, cancel).ConfigureAwait(false);
            if (!signedIn)
            {
                foreach (var check in new[] { "Marketo.DescribeLeads", "Marketo.DescribeCompanies", "Marketo.CompaniesWritable", "Marketo.DailyUsage" })
                    _runner.NotRun(check, "Marketo.Token");
                return;
            }

            await _runner.RunAsync("Marketo.DescribeLeads", async ct =>
            {
                var fields = await client!.DescribeLeadsAsync(ct).ConfigureAwait(false);
                return (MlCheckStatus.Passed, $"Describe Leads returned {fields.Count} fields.");
            }, cancel).ConfigureAwait(false);

            await _runner.RunAsync("Marketo.DescribeCompanies", async ct =>
            {
                var fields = await client!.DescribeCompaniesAsync(ct).ConfigureAwait(false);
                return (MlCheckStatus.Passed, $"Describe Companies returned {fields.Count} fields.");
            }, cancel).ConfigureAwait(false);

            await _runner.RunAsync("Marketo.CompaniesWritable", async ct =>
            {
                var writable = await client!.ProbeCompaniesWritableAsync(ct).ConfigureAwait(false);
                return writable
                    ? (MlCheckStatus.Passed, "Companies are writable (a no-op updateOnly probe was accepted).")
                    : (MlCheckStatus.Warning,
                        "Companies are read-only: the instance is synced with a CRM (Marketo answers 1018 'CRM Enabled'), so BC customers " +
                        "cannot be written as Marketo Companies. Bring account data in through the CRM, or ask the Marketo admin whether CRM sync can be turned off.");
            }, cancel).ConfigureAwait(false);

            await _runner.RunAsync("Marketo.DailyUsage", async ct =>
            {
                try
                {
                    var usage = await client!.GetDailyUsageAsync(ct).ConfigureAwait(false);
                    var budget = usage.DailyCallBudget is int b ? $"; this connection's budget is {b}" : "";
                    return (MlCheckStatus.Passed, $"{usage.Total} API calls used today across the instance (the default daily quota is 50,000){budget}.");
                }
                catch (MarketoApiException e) when (e.Code == "603")
                {
                    return (MlCheckStatus.Warning,
                        "The API user may not read API usage (603 Access denied). Syncing still works; to see the quota, give the API-only user's role the 'Access API' permissions for usage statistics.");
                }
            }, cancel).ConfigureAwait(false);
        }
        finally
        {
            client?.Dispose();
        }
    }

    private static string Advice(MarketoTarget session, MlConnectorException e) => e switch
    {
        MarketoAuthenticationException =>
            $"Check the client id and secret of the LaunchPoint custom service (Marketo Admin > Integration > LaunchPoint > View Details) for instance {session.Settings.MunchkinId}, " +
            (session.ProfileName is null
                ? "then reconnect with the current secret."
                : $"then update the secret in the vault used by profile '{session.ProfileName}' (Set-Secret) and reconnect."),
        MarketoQuotaExceededException quota => $"No calls are possible until {quota.ResetsAt:u}.",
        _ when e.Category is MlErrorCategory.Connection or MlErrorCategory.Throttled => "Marketo could not be reached or is busy; try again later.",
        _ => "",
    };
}
