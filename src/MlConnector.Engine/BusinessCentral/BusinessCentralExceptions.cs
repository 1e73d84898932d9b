namespace MlConnector.Engine.BusinessCentral;

/// <summary>A Business Central call failed; <see cref="StatusCode"/> and <see cref="BcErrorCode"/> say how, when BC answered.</summary>
public class BusinessCentralException : MlConnectorException
{
    public BusinessCentralException(string errorId, MlErrorCategory category, string message, int? statusCode = null, string? bcErrorCode = null, Exception? innerException = null)
        : base(errorId, category, message, innerException)
    {
        StatusCode = statusCode;
        BcErrorCode = bcErrorCode;
    }

    public int? StatusCode { get; }

    /// <summary>BC's OData error code (e.g. Request_EntityChanged) or Entra's AADSTS code.</summary>
    public string? BcErrorCode { get; }
}

/// <summary>Entra refused the credentials, or BC refused the token.</summary>
public sealed class BusinessCentralAuthenticationException(string message, string? code = null, int? statusCode = null, Exception? innerException = null)
    : BusinessCentralException("BusinessCentralAuthenticationFailed", MlErrorCategory.Authentication, message, statusCode, code, innerException);

/// <summary>The configured company is not in the environment.</summary>
public sealed class BusinessCentralCompanyNotFoundException(string company, IReadOnlyList<string> available)
    : BusinessCentralException("BusinessCentralCompanyNotFound", MlErrorCategory.NotFound,
        $"Company '{company}' was not found in the environment. Available companies: {(available.Count == 0 ? "(none)" : string.Join(", ", available.Select(n => "'" + n + "'")))}. Pass the company name or id exactly as listed.")
{
    public IReadOnlyList<string> AvailableCompanies { get; } = available;
}

/// <summary>The environment named in the settings does not exist in the tenant (BC answered 404 to the company list).</summary>
public sealed class BusinessCentralEnvironmentNotFoundException(string environment, string tenant, BusinessCentralException answer)
    : BusinessCentralException("BusinessCentralEnvironmentNotFound", MlErrorCategory.NotFound,
        $"Environment '{environment}' was not found in tenant '{tenant}' (Business Central answered {answer.StatusCode} {answer.BcErrorCode}). " +
        "Pass -Environment exactly as the Business Central admin center lists it (for example Production or Sandbox).",
        answer.StatusCode, answer.BcErrorCode, answer)
{
    public string Environment { get; } = environment;
}

/// <summary>Settings that cannot work (unsafe endpoint, missing value); an endpoint off the vendors' list is BusinessCentralUntrustedEndpoint.</summary>
public sealed class BusinessCentralConfigurationException(string message, Exception? innerException = null, string errorId = "BusinessCentralInvalidConfiguration")
    : BusinessCentralException(errorId, MlErrorCategory.InvalidConfiguration, message, innerException: innerException);
