using System.Text.Json.Nodes;

namespace MlConnector.Sandbox.Tests.Marketo;

/// <summary>Reads the change feed as a client does: a paging token for a time, then pages until moreResult is false.</summary>
public static class MarketoFeed
{
    public static async Task<string> TokenSinceAsync(MarketoApi api, DateTimeOffset since)
    {
        var reply = await api.GetAsync("rest/v1/activities/pagingtoken.json?sinceDatetime=" + Uri.EscapeDataString(since.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz")));
        Assert.False(reply.Body.ContainsKey("result"));
        return reply.NextPageToken!;
    }

    /// <summary>Walks the feed until moreResult is false; returns every item, the page sizes and the final token.</summary>
    public static async Task<(List<JsonObject> Items, List<(int Count, bool More)> Pages, string Token)> DrainAsync(MarketoApi api, string path, string token, int batchSize = 300)
    {
        var items = new List<JsonObject>();
        var pages = new List<(int, bool)>();
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        while (true)
        {
            var reply = await api.GetAsync($"{path}{separator}batchSize={batchSize}&nextPageToken={Uri.EscapeDataString(token)}");
            Assert.True(reply.Success, reply.Body.ToJsonString());
            Assert.NotNull(reply.NextPageToken);
            items.AddRange(reply.Result.Select(r => r!.AsObject()));
            pages.Add((reply.Result.Count, reply.MoreResult));
            token = reply.NextPageToken!;
            if (!reply.MoreResult) return (items, pages, token);
            Assert.True(pages.Count < 500, "feed does not terminate");
        }
    }
}
