namespace MlConnector.Engine.BusinessCentral;

/// <summary>One logical BC call; it is rebuilt as a fresh HttpRequestMessage for every attempt.</summary>
internal sealed record BcRequest(HttpMethod Method, Uri Uri)
{
    public string? JsonBody { get; init; }
    public string? IfMatch { get; init; }
    public int? MaxPageSize { get; init; }
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public static BcRequest Get(Uri uri, int? maxPageSize = null) => new(HttpMethod.Get, uri) { MaxPageSize = maxPageSize };
}
