using System.Management.Automation;
using MlConnector.Engine;
using MlConnector.Engine.Diagnostics;

namespace MlConnector.Infrastructure;

/// <summary>
/// Turns failures into ErrorRecords with stable ids ("ConnectMlBusinessCentralAuthenticationFailed"), the matching
/// ErrorCategory and, where there is one, a RecommendedAction. The original exception travels as it is (its type and
/// inner exception intact) unless redaction finds something to remove from its messages.
/// </summary>
internal static class ErrorRecords
{
    public static string PrefixFor(string commandName) => commandName.Replace("-", "", StringComparison.Ordinal);

    public static ErrorRecord From(Exception failure, string prefix, object? target)
    {
        if (failure is MlConnectorException engine)
            return Create(Sanitised(engine), prefix + ShortId(engine.ErrorId), CategoryOf(engine.Category), target, RecommendedActions.For(engine));
        return Create(Sanitised(failure), prefix + "Failed", CategoryOf(failure), target);
    }

    public static ErrorRecord Create(Exception exception, string errorId, ErrorCategory category, object? target, string? recommendedAction = null)
    {
        var record = new ErrorRecord(exception, errorId, category, target);
        if (!string.IsNullOrEmpty(recommendedAction))
            record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = recommendedAction };
        return record;
    }

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

    private static ErrorCategory CategoryOf(Exception failure) => failure switch
    {
        TimeoutException or OperationCanceledException => ErrorCategory.OperationTimeout,
        UnauthorizedAccessException => ErrorCategory.PermissionDenied,
        FileNotFoundException or DirectoryNotFoundException => ErrorCategory.ObjectNotFound,
        IOException => ErrorCategory.ResourceUnavailable,
        ArgumentException => ErrorCategory.InvalidArgument,
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

    /// <summary>
    /// Engine messages are redacted where they are made; this is the last look before text leaves the module. Only when
    /// it finds something is the exception replaced (its type then named in the message, its inner exception dropped).
    /// </summary>
    private static Exception Sanitised(Exception failure)
    {
        if (IsClean(failure)) return failure;
        return failure is MlConnectorException engine
            ? new MlConnectorException(engine.ErrorId, engine.Category, Redactor.Redact(engine.Message))
            : new InvalidOperationException($"{failure.GetType().Name}: {Redactor.Redact(failure.Message)}");
    }

    private static bool IsClean(Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (!string.Equals(Redactor.Redact(e.Message), e.Message, StringComparison.Ordinal)) return false;
        }
        return true;
    }
}
