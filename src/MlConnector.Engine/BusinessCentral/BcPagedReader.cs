using System.Runtime.CompilerServices;
using System.Text.Json;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// Streams an entity set page by page: Prefer: odata.maxpagesize on every request and @odata.nextLink followed
/// until absent (BC drops nextLink when $top is used, so paging never uses $top/$skip).
/// </summary>
internal sealed class BcPagedReader(BcHttp http, BcEndpoints endpoints, int pageSize)
{
    public async IAsyncEnumerable<T> ReadAsync<T>(Uri first, string entitySet, Func<JsonElement, T> map, Action<BcPageProgress>? onPage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (page, _) in ReadPagesAsync(first, entitySet, map, onPage, cancellationToken).ConfigureAwait(false))
            foreach (var item in page) yield return item;
    }

    /// <summary>Page by page, each with whether another page follows.</summary>
    public async IAsyncEnumerable<(List<T> Page, bool More)> ReadPagesAsync<T>(Uri first, string entitySet, Func<JsonElement, T> map, Action<BcPageProgress>? onPage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Uri? next = first;
        var pageNumber = 0;
        long total = 0;
        while (next is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<T> page;
            using (var doc = await http.SendAsync(BcRequest.Get(next, pageSize), cancellationToken).ConfigureAwait(false))
            {
                if (doc is null || !doc.RootElement.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array)
                    throw new BusinessCentralException("BusinessCentralUnexpectedResponse", MlErrorCategory.InvalidData,
                        $"Business Central answered {BcHttp.Describe(next)} without a 'value' array.");
                page = new List<T>(value.GetArrayLength());
                foreach (var item in value.EnumerateArray()) page.Add(map(item));
                next = doc.RootElement.TryGetProperty("@odata.nextLink", out var link) && link.ValueKind == JsonValueKind.String
                    ? endpoints.NextLink(link.GetString()!) : null;
            }
            pageNumber++;
            total += page.Count;
            onPage?.Invoke(new BcPageProgress(entitySet, pageNumber, page.Count, total));
            yield return (page, next is not null);
        }
    }
}
