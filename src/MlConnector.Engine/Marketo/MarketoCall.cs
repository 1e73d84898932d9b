using System.Text;

namespace MlConnector.Engine.Marketo;

/// <summary>
/// One REST request as the client means it: method, path under the REST host, query parameters and an optional body
/// (made afresh for each attempt of a retried call).
/// </summary>
internal sealed record MarketoCall(HttpMethod Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Query, Func<HttpContent>? Body = null, TimeSpan? Timeout = null)
{
    public bool IsBulk => Path.StartsWith("bulk/", StringComparison.OrdinalIgnoreCase);

    public static MarketoCall Get(string path, params (string Name, string? Value)[] query)
        => new(HttpMethod.Get, path, query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => new KeyValuePair<string, string>(q.Name, q.Value!)).ToArray());

    public static MarketoCall PostJson(string path, Http.SegmentedBuffer utf8Json) => new(HttpMethod.Post, path, Array.Empty<KeyValuePair<string, string>>(), () => utf8Json.ToContent("application/json"));

    /// <summary>A small JSON body (an export job, a list of ids), sent the same way as a large one.</summary>
    public static MarketoCall PostJson(string path, byte[] utf8Json)
    {
        var buffer = new Http.SegmentedBuffer();
        buffer.Write(utf8Json);
        return PostJson(path, buffer);
    }

    /// <summary>A POST with a body of its own kind (multipart/form-data for a bulk import).</summary>
    public static MarketoCall Post(string path, Func<HttpContent> body, params (string Name, string? Value)[] query)
        => new(HttpMethod.Post, path, query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => new KeyValuePair<string, string>(q.Name, q.Value!)).ToArray(), body);

    public string QueryString() => string.Join('&', Query.Select(q => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value)));

    /// <summary>
    /// The HTTP request. A GET whose URI would pass Marketo's 8 KB limit (414), or any GET when <paramref name="forceOverride"/>
    /// is set (a 414 came back anyway), goes as POST ?_method=GET with the parameters in a form body, which Marketo
    /// documents for exactly this case.
    /// </summary>
    public HttpRequestMessage ToRequest(Uri restBase, string accessToken, bool forceOverride, out bool overridden)
    {
        var query = QueryString();
        var uri = new Uri(restBase, query.Length == 0 ? Path : Path + "?" + query);
        overridden = Method == HttpMethod.Get && (forceOverride || Encoding.UTF8.GetByteCount(uri.AbsoluteUri) > MarketoLimits.MaxUriBytes);
        HttpRequestMessage request;
        if (overridden)
        {
            request = new HttpRequestMessage(HttpMethod.Post, new Uri(restBase, Path + "?_method=GET"))
            {
                Content = new FormUrlEncodedContent(Query),
            };
        }
        else
        {
            request = new HttpRequestMessage(Method, uri);
            if (Body is not null) request.Content = Body();
        }
        // The header, not the access_token parameter Adobe is removing (shared/api/marketo.md §1).
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken);
        return request;
    }
}
