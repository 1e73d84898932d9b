using System.Text.RegularExpressions;
using MlConnector.Engine.Http;

namespace MlConnector.Engine.Marketo;

/// <summary>Where a Marketo instance is and how much of its shared limits this connection may use.</summary>
public sealed partial class MarketoSettings
{
    /// <summary>The connection's default share of Marketo's 100 calls per 20 s per instance (Adobe suggests 50).</summary>
    public const int DefaultCallsPer20Seconds = 50;

    /// <summary>The connection's default number of calls in flight (Adobe suggests 5 of the instance's 10).</summary>
    public const int DefaultMaxConcurrency = 5;

    /// <summary>Munchkin account id, e.g. 123-ABC-456. Used to derive the endpoints when <see cref="BaseUri"/> is not given.</summary>
    public string MunchkinId { get; set; } = "";

    /// <summary>The custom service's client id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>REST host, e.g. https://123-ABC-456.mktorest.com/ (a trailing /rest is accepted); default derived from <see cref="MunchkinId"/>.</summary>
    public Uri? BaseUri { get; set; }

    /// <summary>Identity base, default {BaseUri}/identity/.</summary>
    public Uri? IdentityUri { get; set; }

    /// <summary>
    /// Lets the REST and identity URIs be hosts other than https://&lt;munchkin&gt;.mktorest.com/, which then receive the
    /// client secret and the access token. Off by default; every connect that relies on it logs a warning.
    /// </summary>
    public bool AllowUntrustedEndpoint { get; set; }

    /// <summary>Calls this connection may start per <see cref="RateWindow"/>. Marketo allows 100 per 20 s per instance, shared by every integration; Adobe suggests 50.</summary>
    public int CallsPer20Seconds { get; set; } = DefaultCallsPer20Seconds;

    /// <summary>The sliding window <see cref="CallsPer20Seconds"/> applies to. Marketo's is 20 s; only tests shorten it.</summary>
    public TimeSpan RateWindow { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Calls in flight at once. Marketo allows 10 per instance; Adobe suggests 5 per application.</summary>
    public int MaxConcurrency { get; set; } = DefaultMaxConcurrency;

    /// <summary>Calls this connection may make per Marketo day (midnight US Central to midnight); null = no local budget.</summary>
    public int? DailyCallBudget { get; set; }

    /// <summary>
    /// How often a Bulk Lead Import's status is asked for while it shows no progress (Adobe suggests every 5 to 30 s);
    /// once it does, at its estimated end, at most 30 intervals apart. Default 10 s; tests shorten it.
    /// </summary>
    public TimeSpan BulkImportPollInterval { get; set; } = DefaultBulkImportPollInterval;

    public static readonly TimeSpan DefaultBulkImportPollInterval = TimeSpan.FromSeconds(10);

    /// <summary>Records per read page (batchSize), 1..300.</summary>
    public int PageSize { get; set; } = MarketoLimits.MaxBatch;

    public MarketoRetryOptions Retry { get; set; } = new();

    internal Uri RestBase => Normalize(BaseUri ?? new Uri($"https://{MunchkinId}.mktorest.com/"));

    internal Uri IdentityBase => IdentityUri is { } identity ? WithSlash(identity) : new Uri(RestBase, "identity/");

    /// <summary>Throws an <see cref="MlConnectorException"/> (InvalidConfiguration) naming the first problem.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClientId)) throw Invalid("ClientId is required.");
        if (BaseUri is null)
        {
            if (string.IsNullOrWhiteSpace(MunchkinId)) throw Invalid("MunchkinId or BaseUri is required.");
            if (!MunchkinPattern().IsMatch(MunchkinId)) throw Invalid($"MunchkinId '{MunchkinId}' is not of the form 123-ABC-456 (Admin > Integration > Munchkin).");
        }
        if (CallsPer20Seconds is < 1 or > 100) throw Invalid("CallsPer20Seconds must be between 1 and 100 (Marketo's instance limit).");
        if (MaxConcurrency is < 1 or > 10) throw Invalid("MaxConcurrency must be between 1 and 10 (Marketo's instance limit).");
        if (RateWindow <= TimeSpan.Zero) throw Invalid("RateWindow must be positive.");
        if (DailyCallBudget is < 1) throw Invalid("DailyCallBudget must be positive when given.");
        if (BulkImportPollInterval <= TimeSpan.Zero || BulkImportPollInterval > TimeSpan.FromMinutes(5)) throw Invalid("BulkImportPollInterval must be positive and at most 5 minutes.");
        if (PageSize is < 1 or > MarketoLimits.MaxBatch) throw Invalid($"PageSize must be between 1 and {MarketoLimits.MaxBatch}.");
        Retry.Validate();
        try
        {
            EndpointPolicy.RequireSecure(RestBase, "The Marketo REST endpoint");
            EndpointPolicy.RequireSecure(IdentityBase, "The Marketo identity endpoint");
        }
        catch (ArgumentException e)
        {
            throw Invalid(e.Message);
        }
        if (AllowUntrustedEndpoint) return;
        var untrusted = UntrustedEndpoints().FirstOrDefault();
        if (untrusted.Uri is not null)
            throw new MlConnectorException("MarketoUntrustedEndpoint", MlErrorCategory.InvalidConfiguration,
                $"Marketo settings: the {untrusted.What} '{TrustedHosts.Show(untrusted.Uri)}' is not Adobe's host for this instance ({Expected}) nor the loopback sandbox, " +
                "so the client secret or the access token would go to a host Adobe does not document. Correct it (or leave it out to derive it from the Munchkin id). " +
                "Only for an endpoint you run and trust, connect with -AllowUntrustedEndpoint.");
    }

    /// <summary>One warning per endpoint that only <see cref="AllowUntrustedEndpoint"/> lets through; to be shown on every connect.</summary>
    internal IEnumerable<string> UntrustedWarnings() => UntrustedEndpoints().Select(u =>
        $"AllowUntrustedEndpoint: the Marketo {u.What} '{TrustedHosts.Show(u.Uri)}' is not Adobe's host ({Expected}); the {(u.What == "identity endpoint" ? "client secret" : "access token and your records")} will be sent to it. Use this only for an endpoint you run and trust.");

    private string Expected => string.IsNullOrWhiteSpace(MunchkinId) ? TrustedHosts.MarketoPattern : MunchkinId.Trim().ToLowerInvariant() + ".mktorest.com";

    private IEnumerable<(string What, Uri Uri)> UntrustedEndpoints()
    {
        if (!Trusted(IdentityBase)) yield return ("identity endpoint", IdentityBase);
        if (!Trusted(RestBase)) yield return ("REST endpoint", RestBase);
    }

    private bool Trusted(Uri uri) => EndpointPolicy.IsLoopback(uri) || TrustedHosts.IsMarketo(uri, MunchkinId);

    internal static MlConnectorException Invalid(string message)
        => new("MarketoInvalidConfiguration", MlErrorCategory.InvalidConfiguration, "Marketo settings: " + message);

    private static Uri Normalize(Uri uri)
    {
        var text = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        if (text.EndsWith("/rest", StringComparison.OrdinalIgnoreCase)) text = text[..^"/rest".Length];
        return new Uri(text + "/");
    }

    private static Uri WithSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    [GeneratedRegex(@"^\d{3}-[A-Za-z0-9]{3}-\d{3}$")]
    private static partial Regex MunchkinPattern();
}
