using MlConnector.Engine;

namespace MlConnector.Infrastructure;

/// <summary>
/// What to do about an engine failure, by its stable error id: the RecommendedAction of the ErrorRecord
/// ($error[0].ErrorDetails.RecommendedAction, Get-Error). The message says what happened; this says what to change.
/// </summary>
internal static class RecommendedActions
{
    public static string? For(MlConnectorException failure) => failure.ErrorId switch
    {
        "BusinessCentralAuthenticationFailed" =>
            "Check the app registration's client id, tenant and credential (App registrations > Certificates & secrets in Entra ID), and that the app is Enabled on Business Central's 'Microsoft Entra Applications' page; then connect again.",
        "BusinessCentralCompanyNotFound" => "Connect again with -Company set to one of the company names or ids listed in the message.",
        "BusinessCentralEnvironmentNotFound" =>
            "Connect again with -Environment set to the environment's name as the Business Central admin center shows it (for example Production or Sandbox).",
        "BusinessCentralHostNotFound" or "BusinessCentralHostRefused" =>
            "Check -BaseUri (leave it out for Business Central online) and the network path to it (proxy, firewall, DNS).",
        "BusinessCentralTokenServiceUnreachable" or "BusinessCentralTokenServiceUnavailable" =>
            "Check the network path to Entra ID (login.microsoftonline.com) and try again; https://status.cloud.microsoft shows outages.",
        "BusinessCentralInvalidConfiguration" => "Correct the connection parameters named in the message and connect again.",
        "BusinessCentralCertificateNotFound" =>
            "Import the certificate with its private key into the current user's store (Cert:\\CurrentUser\\My), or pass it with -ClientCertificate.",
        "BusinessCentralCertificateUnusable" =>
            "Pass a certificate that holds its private key (for example from Get-AutomationCertificate or the current user's store), not only its public part.",
        "BusinessCentralForbidden" => "Assign the app's Business Central user a permission set that covers this data.",
        "BusinessCentralThrottled" or "BusinessCentralTimeout" or "BusinessCentralServerError" or "BusinessCentralConnectionFailed" =>
            "Business Central is busy or unreachable: run the command again later.",
        "MarketoAuthenticationFailed" =>
            "Check the client id and secret of the LaunchPoint custom service (Marketo Admin > Integration > LaunchPoint > View Details) and connect again.",
        "MarketoInstanceNotFound" or "MarketoHostRefused" =>
            "Check -MunchkinId (Marketo Admin > Integration > Munchkin > Munchkin Account ID) or -BaseUri (Admin > Integration > Web Services > REST API endpoint).",
        "MarketoInvalidConfiguration" => "Correct the connection parameters named in the message and connect again.",
        "MarketoDailyQuotaExceeded" or "MarketoExportQuotaExceeded" or "MarketoDailyCallBudgetReached" =>
            "Wait until the quota resets at midnight US Central time, or raise -DailyCallBudget if this connection's own budget was reached.",
        "MarketoRateLimited" or "MarketoUnavailable" or "MarketoConnectionFailed" => "Marketo is busy or unreachable: run the command again later.",
        "MarketoAccessDenied" => "Give the API-only user's role the permission this call needs, or allow this machine's IP address in Marketo (Admin > Web Services).",
        "ProfileNotFound" => "Save the profile with Connect-MlBusinessCentral/Connect-MlMarketo ... -SaveProfile <name>, or set $env:MLCONNECTOR_HOME to the folder that holds it.",
        "ProfileUnreadable" => "Save the profile again with -SaveProfile.",
        "ProfileNameInvalid" => "Use a profile name of letters, digits, '.', '_' or '-'.",
        "MappingFileInvalid" => "Correct the mapping file at the place the message names (docs/mapping.md describes the format).",
        "MappingSourceUnknown" or "MappingTargetFieldUnknown" or "MappingTargetFieldReadOnly" or "MappingKeyRemoved" =>
            "Correct the mapping file's field named in the message (docs/mapping.md lists the BC properties and how to check Marketo's fields).",
        "AuditUnwritable" => "Make the audit folder writable (free disk space, fix its permissions) and run the sync again: it writes the missing audit lines first, without sending those records again.",
        _ => null,
    };
}
