using System.Runtime.CompilerServices;
using System.Text.Json;
using MlConnector.Engine.Diagnostics;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>
/// Streams an entity set page by page: Prefer: odata.maxpagesize on every request and @odata.nextLink followed
/// until absent (BC drops nextLink when $top is used, so paging never uses $top/$skip). A read that makes no
/// progress ends with an error: a nextLink to a page already read, or a run of empty pages that still link on.
/// </summary>
internal sealed class BcPagedReader(BcHttp http, BcEndpoints endpoints, int pageSize, IEngineLog log)
{
    /// <summary>BC never sends an empty page with a nextLink; a few in a row mean the server is looping.</summary>
    internal const int MaxEmptyPagesInARow = 5;

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
        await foreach (var (records, more) in LendPagesAsync(first, entitySet, onPage, cancellationToken).ConfigureAwait(false))
        {
            var page = new List<T>(records.Count);
            foreach (var item in records) page.Add(map(item));
            yield return (page, more);
        }
    }

    /// <summary>
    /// Page by page, the records as they stand in the page's document, valid only until the next page is asked for (the
    /// document and its pooled buffers are let go then): a record kept longer must be cloned. Copying each record of
    /// every page out of its document cost several allocations per record on reads of hundreds of thousands.
    /// </summary>
    public async IAsyncEnumerable<(IReadOnlyList<JsonElement> Records, bool More)> LendPagesAsync(Uri first, string entitySet, Action<BcPageProgress>? onPage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Uri? next = first;
        var pageNumber = 0;
        var emptyInARow = 0;
        long total = 0;
        var read = new HashSet<string>(StringComparer.Ordinal);
        while (next is not null)
        {
            if (!read.Add(next.AbsoluteUri))
                throw PagingLoop(entitySet, pageNumber, $"its next-page link points back to a page already read ({BcHttp.Describe(next)})");
            cancellationToken.ThrowIfCancellationRequested();
            var page = next;
            using var doc = await http.SendAsync(BcRequest.Get(page, pageSize), cancellationToken).ConfigureAwait(false);
            if (doc is null || !doc.RootElement.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array)
                throw new BusinessCentralException("BusinessCentralUnexpectedResponse", MlErrorCategory.InvalidData,
                    $"Business Central answered {BcHttp.Describe(page)} without a 'value' array.");
            var records = new List<JsonElement>(value.GetArrayLength());
            foreach (var item in value.EnumerateArray()) records.Add(item);
            next = doc.RootElement.TryGetProperty("@odata.nextLink", out var link) && link.ValueKind == JsonValueKind.String
                ? endpoints.NextLink(link.GetString()!) : null;
            pageNumber++;
            total += records.Count;
            emptyInARow = records.Count == 0 ? emptyInARow + 1 : 0;
            if (next is not null && emptyInARow >= MaxEmptyPagesInARow)
                throw PagingLoop(entitySet, pageNumber, $"{emptyInARow} empty pages in a row still linked to another page");
            log.Verbose($"Business Central: read page {pageNumber} of {entitySet}: {records.Count} record(s), {total} so far{(next is null ? "" : ", more follow")}.");
            onPage?.Invoke(new BcPageProgress(entitySet, pageNumber, records.Count, total));
            yield return (records, next is not null);
        }
    }

    private static BusinessCentralException PagingLoop(string entitySet, int pages, string why)
        => new("BusinessCentralPagingLoop", MlErrorCategory.InvalidData,
            $"Stopped reading {entitySet} after {pages} page(s): {why}. Business Central's paging made no progress, so the read was abandoned rather than repeated for ever; try again later, and report it if it persists.");
}
