namespace MlConnector.Sandbox.Marketo;

/// <summary>Marketo error codes and their documented messages (shared/api/marketo.md §4).</summary>
public static class MarketoErrors
{
    private static readonly Dictionary<string, string> Messages = new(StringComparer.Ordinal)
    {
        ["600"] = "Access token not specified",
        ["601"] = "Access token invalid",
        ["602"] = "Access token expired",
        ["603"] = "Access denied",
        ["604"] = "Request time-out",
        ["605"] = "HTTP Method not supported",
        ["606"] = "Max rate limit '{0}' exceeded with in '{1}' secs",
        ["607"] = "Daily quota reached",
        ["608"] = "API Temporarily Unavailable",
        ["609"] = "Invalid JSON",
        ["610"] = "Requested resource not found",
        ["611"] = "System error",
        ["612"] = "Invalid Content Type",
        ["613"] = "Invalid Multipart Request",
        ["614"] = "Invalid Subscription",
        ["615"] = "Concurrent access limit reached",
        ["701"] = "{0} cannot be blank",
        ["702"] = "No data found for a given search scenario",
        ["704"] = "Invalid date format",
        ["713"] = "Transient Error",
        ["718"] = "ExternalSalesPersonID not found",
        ["1001"] = "Invalid value '{0}'. Required of type '{1}'",
        ["1002"] = "Missing value for the required parameter '{0}'",
        ["1003"] = "Invalid data",
        ["1004"] = "Lead not found",
        ["1005"] = "Lead already exists",
        ["1006"] = "Field '{0}' not found",
        ["1007"] = "Multiple leads match the lookup criteria",
        ["1008"] = "Access denied to partition '{0}'",
        ["1011"] = "Field '{0}' not supported",
        ["1013"] = "Object not found",
        ["1016"] = "Too many imports",
        ["1017"] = "Object already exists",
        ["1018"] = "CRM Enabled",
        ["1021"] = "Company update not allowed",
        ["1029"] = "Too many jobs in queue",
        ["1035"] = "Unsupported filter type for target subscription",
        ["1036"] = "Duplicate object found in input",
    };

    /// <summary>Calls failing with these codes are not counted against the daily quota or the rate limit.</summary>
    public static bool IsNotCounted(string code) => code is "601" or "602" or "604" or "605" or "608" or "611";

    /// <summary>The documented message for a code, with placeholders filled; unknown codes get a generic text.</summary>
    public static string Message(string code, params object[] args)
    {
        if (!Messages.TryGetValue(code, out var template)) return "Error " + code;
        return args.Length == 0 && template.Contains('{', StringComparison.Ordinal)
            ? template.Replace("{0}", "?", StringComparison.Ordinal).Replace("{1}", "?", StringComparison.Ordinal)
            : string.Format(System.Globalization.CultureInfo.InvariantCulture, template, args);
    }
}

/// <summary>A response-level failure raised inside a handler; the gate renders it as success:false.</summary>
public sealed class MarketoException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

    public static MarketoException Of(string code, params object[] args) => new(code, MarketoErrors.Message(code, args));
}
