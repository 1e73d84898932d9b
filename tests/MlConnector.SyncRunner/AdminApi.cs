using System.Net.Http.Json;
using System.Text.Json;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Diagnostics;
using MlConnector.Engine.Security;

namespace MlConnector.SyncRunner;

/// <summary>The sandbox's admin API (plain HTTP on loopback) and a BC client for reading what BC holds.</summary>
internal sealed class AdminApi(SandboxInfo sandbox) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = sandbox.AdminUri, Timeout = TimeSpan.FromMinutes(5) };

    public async Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return doc.RootElement.Clone();
    }

    public async Task PostAsync(string path, object body, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(path, body, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    /// <summary>Every record of an admin list endpoint (companies, leads), page by page.</summary>
    public async Task<List<JsonElement>> ListAsync(string path, CancellationToken cancellationToken)
    {
        const int take = 5000;
        var all = new List<JsonElement>();
        for (var skip = 0; ; skip += take)
        {
            var page = await GetAsync($"{path}?skip={skip}&take={take}", cancellationToken);
            all.AddRange(page.EnumerateArray());
            if (page.GetArrayLength() < take) return all;
        }
    }

    public Task<BusinessCentralClient> ConnectBusinessCentralAsync(CancellationToken cancellationToken)
        => BusinessCentralClient.ConnectAsync(sandbox.BusinessCentral(pageSize: 20000), new SecretText(sandbox["bcClientSecret"]), NullEngineLog.Instance, cancellationToken: cancellationToken);

    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await foreach (var item in items.WithCancellation(cancellationToken)) list.Add(item);
        return list;
    }

    public void Dispose() => _http.Dispose();
}
