using System.Text.Json;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>Writes: POST (201), PATCH with If-Match (a 409 re-reads and re-applies once), and $batch (writes, and reads that would cost a call each).</summary>
public sealed partial class BusinessCentralClient
{
    public const int MaxBatchOperations = 100;

    /// <summary>POST customers with the given API fields (exact BC names, e.g. displayName, email).</summary>
    public async Task<BcCustomer> CreateCustomerAsync(IReadOnlyDictionary<string, object?> fields, CancellationToken cancellationToken)
    {
        var request = new BcRequest(HttpMethod.Post, _endpoints.Company("customers")) { JsonBody = JsonSerializer.Serialize(fields) };
        using var doc = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return BcJson.Customer(doc!.RootElement);
    }

    /// <summary>
    /// PATCH only the given fields, with the etag <paramref name="current"/> was read with. When another user changed
    /// the record in between (409/412), the customer is read again and the same changes applied once more.
    /// </summary>
    public async Task<BcCustomer> UpdateCustomerAsync(BcCustomer current, IReadOnlyDictionary<string, object?> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        var body = JsonSerializer.Serialize(changes);
        var uri = _endpoints.Company($"customers({current.Id:D})");
        try
        {
            return await PatchAsync(uri, body, current.ETag ?? "*", cancellationToken).ConfigureAwait(false);
        }
        catch (BusinessCentralException e) when (e.StatusCode is 409 or 412)
        {
            _log.Verbose($"Customer {current.Number} changed in BC since it was read ({e.BcErrorCode}); re-reading and applying the change once more.");
            var fresh = await GetCustomerByIdAsync(current.Id, cancellationToken).ConfigureAwait(false)
                ?? throw new BusinessCentralException("BusinessCentralNotFound", MlErrorCategory.NotFound, $"Customer {current.Number} ({current.Id}) no longer exists in Business Central.", 404);
            return await PatchAsync(uri, body, fresh.ETag ?? "*", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sends operations as $batch requests of at most 100; results come back in operation order.</summary>
    public async Task<IReadOnlyList<BcBatchResult>> ExecuteBatchAsync(IReadOnlyList<BcBatchOperation> operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var results = new List<BcBatchResult>(operations.Count);
        foreach (var chunk in operations.Chunk(MaxBatchOperations))
        {
            var body = BcBatchCodec.Encode(chunk, Company.Id);
            using var doc = await _http.SendAsync(new BcRequest(HttpMethod.Post, _endpoints.Batch()) { JsonBody = body }, cancellationToken).ConfigureAwait(false);
            results.AddRange(BcBatchCodec.Decode(doc, chunk.Length, results.Count));
        }
        return results;
    }

    /// <summary>
    /// GETs sent as $batch requests of at most 100: many small reads (a filter per 20 numbers, contactsInformation per
    /// customer) for one call each hundred. Returns each operation's entities in operation order; a page that links on is
    /// followed with plain GETs. A GET that BC refuses fails the read.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<JsonElement>>> ReadBatchAsync(IReadOnlyList<BcBatchOperation> reads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reads);
        if (reads.Any(r => r.Method != "GET")) throw new ArgumentException("ReadBatchAsync sends GETs only.", nameof(reads));
        var results = await ExecuteBatchAsync(reads, cancellationToken).ConfigureAwait(false);
        var entities = new List<IReadOnlyList<JsonElement>>(results.Count);
        foreach (var result in results)
        {
            var read = reads[result.Index];
            if (!result.Succeeded)
                throw new BusinessCentralException("BusinessCentralRequestRejected", MlErrorCategory.InvalidData,
                    $"Business Central answered {result.Status} {result.ErrorCode} to GET {read.EntitySet} in a $batch: {result.ErrorMessage}", result.Status, result.ErrorCode);
            var list = result.Entities().ToList();
            if (result.NextLink is { } link)
                await foreach (var more in _reader.ReadAsync(_endpoints.NextLink(link), read.EntitySet, e => e.Clone(), null, cancellationToken).ConfigureAwait(false))
                    list.Add(more);
            entities.Add(list);
        }
        return entities;
    }

    private async Task<BcCustomer> PatchAsync(Uri uri, string body, string etag, CancellationToken cancellationToken)
    {
        var request = new BcRequest(HttpMethod.Patch, uri) { JsonBody = body, IfMatch = etag };
        using var doc = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return BcJson.Customer(doc!.RootElement);
    }
}
