namespace MlConnector.Engine.Marketo;

/// <summary>Marketo's identity service refused the client id or secret, or kept refusing the access token.</summary>
public sealed class MarketoAuthenticationException : MlConnectorException
{
    public MarketoAuthenticationException(string message, Exception? innerException = null)
        : base("MarketoAuthenticationFailed", MlErrorCategory.Authentication, message, innerException) { }
}

/// <summary>
/// A quota is used up: Marketo's daily API quota (607), the bulk export queue/daily export quota (1029), or this
/// connection's own <see cref="MarketoSettings.DailyCallBudget"/>. No call is retried until <see cref="ResetsAt"/>.
/// </summary>
public sealed class MarketoQuotaExceededException : MlConnectorException
{
    public MarketoQuotaExceededException(string errorId, string? code, DateTimeOffset resetsAt, string message, string? requestId = null)
        : base(errorId, MlErrorCategory.Quota, message)
    {
        Code = code;
        ResetsAt = resetsAt;
        RequestId = requestId;
    }

    /// <summary>"607", "1029", or null for the local budget.</summary>
    public string? Code { get; }

    /// <summary>Next midnight US Central (America/Chicago, DST-aware), when Marketo resets its quotas.</summary>
    public DateTimeOffset ResetsAt { get; }

    public string? RequestId { get; }
}

/// <summary>A response-level Marketo error (success:false) or an HTTP failure, after any retries.</summary>
public sealed class MarketoApiException : MlConnectorException
{
    public MarketoApiException(string code, string? vendorMessage, string? requestId, int httpStatus, string path, int attempts = 1)
        : base(ErrorIdFor(code), MarketoErrorCodes.Category(code), Describe(code, vendorMessage, requestId, httpStatus, path, attempts))
    {
        Code = code;
        VendorMessage = vendorMessage;
        RequestId = requestId;
        HttpStatus = httpStatus;
    }

    public string Code { get; }

    public string? VendorMessage { get; }

    public string? RequestId { get; }

    public int HttpStatus { get; }

    internal MarketoErrorKind Kind => MarketoErrorCodes.Classify(Code);

    private static string ErrorIdFor(string code) => MarketoErrorCodes.Classify(code) switch
    {
        MarketoErrorKind.RateLimited or MarketoErrorKind.Concurrency => "MarketoRateLimited",
        MarketoErrorKind.Transient => "MarketoUnavailable",
        _ => code == MarketoErrorCodes.AccessDenied ? "MarketoAccessDenied" : "MarketoApiError",
    };

    private static string Describe(string code, string? message, string? requestId, int status, string path, int attempts)
    {
        var text = $"Marketo {path} failed with error {code}: {message ?? "(no message)"}";
        if (requestId is not null) text += $" (requestId {requestId})";
        if (status is not 200 and not 0) text += $" [HTTP {status}]";
        if (attempts > 1) text += $" after {attempts} attempts";
        if (code == MarketoErrorCodes.AccessDenied) text += ". The API user's role lacks a permission this call needs, or an IP allow-list blocks this machine.";
        return Diagnostics.Redactor.Redact(text.EndsWith('.') ? text : text + ".");
    }
}
