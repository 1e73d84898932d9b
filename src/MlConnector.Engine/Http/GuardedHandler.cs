using System.Net;

namespace MlConnector.Engine.Http;

/// <summary>
/// Sits between HttpClient and the socket handler (which never follows redirects): a 3xx answer becomes an error
/// naming where it pointed, and a body declared or read past the limit ends the call before it is buffered whole.
/// </summary>
internal sealed class GuardedHandler(ResponseGuard guard, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status is >= 300 and < 400 && response.StatusCode != HttpStatusCode.NotModified)
        {
            var redirect = guard.Redirected(request, response);
            response.Dispose();
            throw redirect;
        }

        var limit = request.Options.TryGetValue(ResponseGuard.LimitOption, out var asked) ? Math.Min(asked, guard.MaxResponseBytes) : guard.MaxResponseBytes;
        if (response.Content.Headers.ContentLength is long declared && declared > limit)
        {
            var tooLarge = guard.TooLarge(request, limit, declared);
            response.Dispose();
            throw tooLarge;
        }
        response.Content = new BoundedContent(response.Content, limit, () => guard.TooLarge(request, limit, null));
        return response;
    }
}
