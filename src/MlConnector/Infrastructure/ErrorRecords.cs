using System.Management.Automation;
using MlConnector.Engine;
using MlConnector.Engine.Diagnostics;

namespace MlConnector.Infrastructure;

/// <summary>
/// Turns engine failures into ErrorRecords with stable ids ("ConnectMlBusinessCentralAuthenticationFailed")
/// and the matching ErrorCategory. Messages pass through the redactor once more so nothing secret escapes.
/// </summary>
internal static class ErrorRecords
{
    public static string PrefixFor(string commandName) => commandName.Replace("-", "", StringComparison.Ordinal);

    public static ErrorRecord From(Exception failure, string prefix, object? target)
    {
        if (failure is MlConnectorException engine)
            return Create(Sanitised(engine), prefix + ShortId(engine.ErrorId), CategoryOf(engine.Category), target);
        return Create(new InvalidOperationException(Redactor.Redact(failure.Message)), prefix + "Failed", ErrorCategory.NotSpecified, target);
    }

    public static ErrorRecord Create(Exception exception, string errorId, ErrorCategory category, object? target)
        => new(exception, errorId, category, target);

    public static ErrorRecord Canceled(string prefix, object? target)
        => Create(new OperationCanceledException("The operation timed out or was canceled."), prefix + "Canceled", ErrorCategory.OperationTimeout, target);

    public static ErrorCategory CategoryOf(MlErrorCategory category) => category switch
    {
        MlErrorCategory.Authentication => ErrorCategory.AuthenticationError,
        MlErrorCategory.NotFound => ErrorCategory.ObjectNotFound,
        MlErrorCategory.Throttled => ErrorCategory.LimitsExceeded,
        MlErrorCategory.InvalidData => ErrorCategory.InvalidData,
        MlErrorCategory.Connection => ErrorCategory.ConnectionError,
        MlErrorCategory.Quota => ErrorCategory.QuotaExceeded,
        MlErrorCategory.InvalidConfiguration => ErrorCategory.InvalidArgument,
        MlErrorCategory.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        MlErrorCategory.ResourceBusy => ErrorCategory.ResourceBusy,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>
    /// "BusinessCentralAuthenticationFailed" under Connect-MlBusinessCentral reads better as
    /// "ConnectMlBusinessCentralAuthenticationFailed": the service name is already in the cmdlet's.
    /// </summary>
    private static string ShortId(string engineId)
    {
        foreach (var service in new[] { "BusinessCentral", "Marketo" })
        {
            if (engineId.StartsWith(service, StringComparison.Ordinal) && engineId.Length > service.Length)
                return engineId[service.Length..];
        }
        return engineId;
    }

    private static Exception Sanitised(MlConnectorException engine)
    {
        var redacted = Redactor.Redact(engine.Message);
        return redacted == engine.Message ? engine : new MlConnectorException(engine.ErrorId, engine.Category, redacted);
    }
}
