using System.Text.RegularExpressions;
using Microsoft.Identity.Client;
using MlConnector.Engine.Diagnostics;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>Turns MSAL failures into messages that name the AADSTS code and what to do about it (never the secret).</summary>
internal static partial class EntraErrorTranslator
{
    public static BusinessCentralException Translate(Exception exception, string tenant, string clientId, Uri authority, string? certificateThumbprint = null)
    {
        if (exception is MsalServiceException service)
        {
            var code = AadstsCode(service.Message) ?? AadstsCode(service.ResponseBody);
            var aadsts = code is null ? service.ErrorCode : "AADSTS" + code;
            var message = code switch
            {
                "7000215" => $"Entra rejected the client secret for app '{clientId}' (AADSTS7000215). Pass the secret's Value, not its Secret ID, and check it belongs to this app.",
                "7000222" => $"The client secret of app '{clientId}' has expired (AADSTS7000222). Create a new secret under App registrations > Certificates & secrets and connect again with it.",
                "7000218" => $"No client secret reached Entra for app '{clientId}' (AADSTS7000218). Supply the client secret value.",
                "700027" => $"Entra did not accept certificate {certificateThumbprint} for app '{clientId}' (AADSTS700027: {Description(service)}). " +
                    "Upload that certificate's public part to the app registration (App registrations > Certificates & secrets), or sign in with the certificate registered there.",
                "700024" => $"Entra found the certificate's client assertion outside its valid time range (AADSTS700024). Check this machine's clock.",
                "700021" or "700023" or "50048" or "50027" => $"Entra refused the client assertion for app '{clientId}' ({aadsts}: {Description(service)}).",
                "700016" => $"App '{clientId}' was not found in tenant '{tenant}' (AADSTS700016). Check the client id and the tenant, and that an administrator consented to the app in that tenant.",
                "90002" => $"Tenant '{tenant}' was not found (AADSTS90002). Check the tenant id or domain and the cloud.",
                "900023" => $"Tenant '{tenant}' is neither a GUID nor a domain (AADSTS900023). Use the tenant id or its verified domain.",
                "500011" => $"Business Central is not available in tenant '{tenant}' (AADSTS500011). Check that Business Central is provisioned and the app has API.ReadWrite.All consented.",
                _ when service.ErrorCode == "invalid_scope" || code is "1002012" or "70011" =>
                    $"Entra rejected the scope for Business Central ({aadsts}). The app needs the Dynamics 365 Business Central application permission API.ReadWrite.All with admin consent.",
                _ => $"Entra refused the token request for app '{clientId}' in tenant '{tenant}' ({aadsts}): {FirstLine(service.Message)}",
            };
            var category = service.StatusCode is 429 or >= 500 ? MlErrorCategory.Connection : MlErrorCategory.Authentication;
            if (category == MlErrorCategory.Connection)
                return new BusinessCentralException("BusinessCentralTokenServiceUnavailable", category, Redactor.Redact(message), service.StatusCode, aadsts, exception);
            return new BusinessCentralAuthenticationException(Redactor.Redact(message), aadsts, service.StatusCode, exception);
        }

        return new BusinessCentralException("BusinessCentralTokenServiceUnreachable", MlErrorCategory.Connection,
            Redactor.Redact($"Could not get a token from Entra at '{authority.GetLeftPart(UriPartial.Authority)}': {Innermost(exception).Message}"),
            innerException: exception);
    }

    /// <summary>Entra's own description of the error ("The certificate with identifier ... [Reason - ...]"), without trace ids.</summary>
    private static string Description(MsalServiceException service)
    {
        foreach (var text in new[] { service.ResponseBody, service.Message })
        {
            if (text is not null && DescriptionPattern().Match(text) is { Success: true } m) return m.Groups[1].Value.Trim();
        }
        return FirstLine(service.Message);
    }

    private static string? AadstsCode(string? text)
        => text is null ? null : AadstsPattern().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    [GeneratedRegex(@"AADSTS(\d+)")]
    private static partial Regex AadstsPattern();

    [GeneratedRegex(@"AADSTS\d+: ((?:[^\\\r\n]|\\(?![rn]))+)")]
    private static partial Regex DescriptionPattern();
}
