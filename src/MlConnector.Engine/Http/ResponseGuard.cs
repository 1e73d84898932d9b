using System.Globalization;

namespace MlConnector.Engine.Http;

/// <summary>
/// What a client's handler refuses, and how it names the refusal: <paramref name="ErrorIdPrefix"/> starts the error
/// ids ("MarketoRedirectRefused"), <paramref name="Service"/> is the service in messages, <paramref name="MaxResponseBytes"/>
/// the most a response body may hold unless a request asks for less with <see cref="LimitOption"/>.
/// </summary>
public sealed record ResponseGuard(string ErrorIdPrefix, string Service, long MaxResponseBytes)
{
    /// <summary>A per-request limit (e.g. the token call on a client that otherwise reads REST pages).</summary>
    public static readonly HttpRequestOptionsKey<long> LimitOption = new("MlConnector.MaxResponseBytes");

    /// <summary>Token and identity responses are a few hundred bytes; 1 MB leaves room for any real one.</summary>
    public const long TokenBytes = 1L << 20;

    /// <summary>A Marketo REST answer: a 300-record page or a describe of every field is well under a few MB.</summary>
    public const long MarketoBytes = 16L << 20;

    /// <summary>A Business Central page: 1,000 customers are about 2 MB; the 20,000-entity maximum page stays under this.</summary>
    public const long BusinessCentralBytes = 64L << 20;

    public static string Describe(long bytes) => bytes >= 1L << 20
        ? (bytes / (double)(1L << 20)).ToString("0.#", CultureInfo.InvariantCulture) + " MB"
        : (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KB";

    /// <summary>Scheme, host, port and path of <paramref name="uri"/>: never its query or user info, where secrets may ride.</summary>
    public static string Where(Uri uri) => uri.IsAbsoluteUri ? uri.GetLeftPart(UriPartial.Authority) + uri.AbsolutePath : uri.OriginalString.Split('?', '#')[0];

    internal EndpointResponseException Redirected(HttpRequestMessage request, HttpResponseMessage response)
    {
        var location = response.Headers.Location;
        var target = location is null ? "no Location" : "'" + Where(location.IsAbsoluteUri ? location : new Uri(request.RequestUri!, location)) + "'";
        return new EndpointResponseException(ErrorIdPrefix + "RedirectRefused", MlErrorCategory.Connection,
            $"{Service} answered {request.Method} {Where(request.RequestUri!)} with a redirect (HTTP {(int)response.StatusCode}) to {target}. " +
            "Redirects are not followed on calls that carry credentials: check the configured endpoint, and use the address the service documents.");
    }

    internal EndpointResponseException TooLarge(HttpRequestMessage request, long limit, long? declared)
        => new(ErrorIdPrefix + "ResponseTooLarge", MlErrorCategory.InvalidData,
            $"{Service} sent a response to {request.Method} {Where(request.RequestUri!)} larger than the {Describe(limit)} the connector reads" +
            (declared is { } size ? $" (it declared {Describe(size)})" : "") +
            "; it was abandoned. A genuine answer is far smaller: check the endpoint" +
            (ErrorIdPrefix == "BusinessCentral" ? ", or lower the page size." : "."));
}

/// <summary>A response the handler refused to pass on: a redirect, or a body over the limit.</summary>
public sealed class EndpointResponseException(string errorId, MlErrorCategory category, string message)
    : MlConnectorException(errorId, category, message);
