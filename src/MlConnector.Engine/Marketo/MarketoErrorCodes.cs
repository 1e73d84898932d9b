namespace MlConnector.Engine.Marketo;

/// <summary>How the client reacts to a Marketo error code (shared/api/marketo.md §4).</summary>
internal enum MarketoErrorKind
{
    /// <summary>Not retryable: bad request, permissions, missing resource.</summary>
    Fatal,

    /// <summary>601/602: renew the token and retry once.</summary>
    Token,

    /// <summary>604, 608, 611, 614, 713, 719, 5xx: retry with exponential back-off.</summary>
    Transient,

    /// <summary>606: the instance's 20 s window is full; wait a whole window.</summary>
    RateLimited,

    /// <summary>615: too many calls in flight on the instance; short jittered pause.</summary>
    Concurrency,

    /// <summary>607: daily API quota used up until midnight US Central; no further calls.</summary>
    DailyQuota,

    /// <summary>1029: bulk export queue/daily export quota; no retry until the reset.</summary>
    ExportQuota,
}

internal static class MarketoErrorCodes
{
    public const string AccessTokenInvalid = "601";
    public const string AccessTokenExpired = "602";
    public const string AccessDenied = "603";
    public const string RateLimited = "606";
    public const string DailyQuota = "607";
    public const string ResourceNotFound = "610";
    public const string ConcurrencyLimited = "615";
    public const string LeadNotFound = "1004";
    public const string ObjectNotFound = "1013";
    public const string CrmEnabled = "1018";
    public const string TooManyImports = "1016";
    public const string ExportQuota = "1029";

    /// <summary>HTTP 413 rendered as a code: the request body passed Marketo's 1 MB limit.</summary>
    public const string PayloadTooLarge = "413";

    public static MarketoErrorKind Classify(string? code) => code switch
    {
        "600" or AccessTokenInvalid or AccessTokenExpired => MarketoErrorKind.Token,
        "604" or "608" or "611" or "614" or "713" or "719" => MarketoErrorKind.Transient,
        RateLimited => MarketoErrorKind.RateLimited,
        ConcurrencyLimited => MarketoErrorKind.Concurrency,
        DailyQuota => MarketoErrorKind.DailyQuota,
        ExportQuota => MarketoErrorKind.ExportQuota,
        // An HTTP 5xx rendered as a code (gateways answer 502 "likely a timeout — retry").
        { Length: 3 } when code[0] == '5' => MarketoErrorKind.Transient,
        _ => MarketoErrorKind.Fatal,
    };

    public static MlErrorCategory Category(string? code) => Classify(code) switch
    {
        MarketoErrorKind.Token => MlErrorCategory.Authentication,
        MarketoErrorKind.Transient => MlErrorCategory.Connection,
        MarketoErrorKind.RateLimited or MarketoErrorKind.Concurrency => MlErrorCategory.Throttled,
        MarketoErrorKind.DailyQuota or MarketoErrorKind.ExportQuota => MlErrorCategory.Quota,
        _ => code switch
        {
            AccessDenied => MlErrorCategory.Authentication,
            ResourceNotFound or LeadNotFound or ObjectNotFound => MlErrorCategory.NotFound,
            _ => MlErrorCategory.InvalidData,
        },
    };
}
