using System.Text.Json;

namespace MlConnector.Engine.BusinessCentral;

/// <summary>Writes: POST (201), PATCH with If-Match (a 409 re-reads and re-applies once), and $batch.</summary>
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

    private async Task<BcCustomer> PatchAsync(Uri uri, string body, string etag, CancellationToken cancellationToken)
    {
        var request = new BcRequest(HttpMethod.Patch, uri) { JsonBody = body, IfMatch = etag };
        using var doc = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return BcJson.Customer(doc!.RootElement);
    }
}
