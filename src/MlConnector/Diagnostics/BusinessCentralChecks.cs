using MlConnector.Connections;
using MlConnector.Engine;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Diagnostics;
using MlConnector.Output;

namespace MlConnector.Diagnostics;

/// <summary>
/// Business Central's part of Test-MlConnection: a fresh sign-in (so a rotated or revoked secret shows up even
/// while the session's token is still cached), the company, and one customer.
/// </summary>
internal sealed class BusinessCentralChecks(BusinessCentralTarget session, IEngineLog log, Action<MlConnectionCheck> emit)
{
    private const string Service = "BusinessCentral";
    private readonly CheckRunner _runner = new(Service, emit, e => Advice(session, e));

    public async Task RunAsync(CancellationToken cancel)
    {
        BusinessCentralClient? client = null;
        BusinessCentralException? missingCompany = null;
        try
        {
            var signedIn = await _runner.RunAsync("BusinessCentral.Token", async ct =>
            {
                try
                {
                    client = await BusinessCentralClient.ConnectAsync(ProbeSettings(), session.Credential, log, null, ct).ConfigureAwait(false);
                }
                catch (BusinessCentralException e) when (e is BusinessCentralCompanyNotFoundException or BusinessCentralEnvironmentNotFoundException)
                {
                    // The environment and company are resolved right after the token, so getting here means the sign-in worked.
                    missingCompany = e;
                }
                return (MlCheckStatus.Passed, $"Entra ID issued a Business Central token to app '{session.Settings.ClientId}' in tenant '{session.Settings.TenantId}'.");
            }, cancel).ConfigureAwait(false);
            if (!signedIn)
            {
                _runner.NotRun("BusinessCentral.Company", "BusinessCentral.Token");
                _runner.NotRun("BusinessCentral.Customer", "BusinessCentral.Token");
                return;
            }

            var companyFound = await _runner.RunAsync("BusinessCentral.Company", _ =>
            {
                if (missingCompany is not null) throw missingCompany;
                var company = client!.Company;
                return Task.FromResult((MlCheckStatus.Passed, $"Company '{company.Name}' ({company.Id}) in environment '{session.Settings.Environment}'."));
            }, cancel).ConfigureAwait(false);
            if (!companyFound)
            {
                _runner.NotRun("BusinessCentral.Customer", "BusinessCentral.Company");
                return;
            }

            await _runner.RunAsync("BusinessCentral.Customer", async ct =>
            {
                await foreach (var customer in client!.GetCustomersAsync(new BcCustomerQuery(), ct).ConfigureAwait(false))
                    return (MlCheckStatus.Passed, $"Read customer {customer.Number} ('{customer.DisplayName}').");
                return (MlCheckStatus.Warning, "The company has no customers yet, so reading one could not be tried.");
            }, cancel).ConfigureAwait(false);
        }
        finally
        {
            client?.Dispose();
        }
    }

    /// <summary>The session's settings, asking for one customer per page so the customer check reads little.</summary>
    private BusinessCentralSettings ProbeSettings()
    {
        var probe = session.Settings.Copy();
        probe.PageSize = 1;
        return probe;
    }

    private static string Advice(BusinessCentralTarget session, MlConnectorException e) => e switch
    {
        BusinessCentralAuthenticationException when session.Credential.CertificateThumbprint is { } thumbprint =>
            $"Upload certificate {thumbprint} to app registration '{session.Settings.ClientId}' in Entra ID (App registrations > Certificates & secrets), " +
            "or reconnect with the certificate registered there.",
        BusinessCentralAuthenticationException =>
            $"Fix the credential of app registration '{session.Settings.ClientId}' in Entra ID (App registrations > Certificates & secrets), " +
            $"then update it {SecretSource(session)} and reconnect.",
        BusinessCentralCompanyNotFoundException =>
            "Connect again with -Company set to one of the listed names or ids" + (session.ProfileName is null ? "." : $" and -SaveProfile {session.ProfileName}."),
        BusinessCentralEnvironmentNotFoundException =>
            "Connect again with the right -Environment" + (session.ProfileName is null ? "." : $" and -SaveProfile {session.ProfileName}."),
        _ when e.Category is MlErrorCategory.Connection or MlErrorCategory.Throttled =>
            "Business Central or Entra ID could not be reached or is busy; try again later and check https://status.cloud.microsoft.",
        _ => "",
    };

    internal static string SecretSource(BusinessCentralTarget session) => session.ProfileName is null
        ? "where this session got it (-ClientSecret, -Credential or the vault)"
        : $"in the vault used by profile '{session.ProfileName}' (Set-Secret)";
}
