namespace MlConnector.Sandbox.BusinessCentral.Webhooks;

/// <summary>The outbound side: BC does not follow redirects for notifications (a 3xx is a non-retryable answer).</summary>
internal static class WebhookHttp
{
    public static HttpClient Create() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each call carries its own deadline
    };

    /// <summary>Reads at most <paramref name="limit"/> bytes of the answer; the rest is not needed.</summary>
    public static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[limit];
        var total = 0;
        int read;
        while (total < limit && (read = await stream.ReadAsync(buffer.AsMemory(total, limit - total), cancellationToken).ConfigureAwait(false)) > 0) total += read;
        return buffer[..total];
    }
}
