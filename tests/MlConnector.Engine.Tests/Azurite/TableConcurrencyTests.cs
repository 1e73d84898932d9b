using System.Net.Sockets;
using Azure;
using Azure.Data.Tables;
using MlConnector.Engine.Cloud;

namespace MlConnector.Engine.Tests.Azurite;

/// <summary>
/// The optimistic-concurrency primitives the table state store relies on, against Azurite through the
/// engine's own client factory: a conditional write with a stale ETag is refused with 412 and the newer
/// write survives; an insert of an existing row is refused with 409.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableConcurrencyTests(AzuriteFixture azurite)
{
    private const string Pair = "bc-tenant-env-company--marketo-123";

    [Fact]
    public async Task An_update_with_a_stale_ETag_fails_with_412_and_the_newer_write_stays()
    {
        var table = await NewTableAsync("etag");
        await table.UpsertEntityAsync(Checkpoint("v1"), TableUpdateMode.Replace);

        var read = (await table.GetEntityAsync<TableEntity>(Pair, "checkpoint")).Value;
        Assert.Equal("v1", read.GetString("Value"));
        Assert.NotEqual(default, read.ETag);

        // Writer A holds the current ETag: its conditional replace succeeds and moves the ETag on.
        var written = await table.UpdateEntityAsync(Checkpoint("from A"), read.ETag, TableUpdateMode.Replace);
        Assert.NotEqual(read.ETag, written.Headers.ETag);

        // Writer B still holds the first ETag: refused, and A's value is what the table keeps.
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateEntityAsync(Checkpoint("from B"), read.ETag, TableUpdateMode.Replace));
        Assert.Equal(412, refused.Status);
        Assert.Equal("UpdateConditionNotSatisfied", refused.ErrorCode);
        var after = (await table.GetEntityAsync<TableEntity>(Pair, "checkpoint")).Value;
        Assert.Equal("from A", after.GetString("Value"));
        Assert.Equal(written.Headers.ETag, after.ETag);

        // A delete with the stale ETag is refused the same way.
        var staleDelete = await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteEntityAsync(Pair, "checkpoint", read.ETag));
        Assert.Equal(412, staleDelete.Status);
    }

    [Fact]
    public async Task Adding_a_row_that_exists_fails_with_409_so_only_one_writer_creates_it()
    {
        var table = await NewTableAsync("insert");
        await table.AddEntityAsync(Checkpoint("first"));

        var second = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(Checkpoint("second")));
        Assert.Equal(409, second.Status);
        Assert.Equal("EntityAlreadyExists", second.ErrorCode);
        Assert.Equal("first", (await table.GetEntityAsync<TableEntity>(Pair, "checkpoint")).Value.GetString("Value"));
    }

    private async Task<TableClient> NewTableAsync(string prefix)
    {
        var table = TableServiceFactory.FromConnectionString(azurite.Server.ConnectionString, azurite.NewTableName(prefix));
        await table.CreateAsync();
        return table;
    }

    private static TableEntity Checkpoint(string value) => new(Pair, "checkpoint") { ["Value"] = value };
}

/// <summary>The fixture itself: it answers while running, and its port is closed and its folder gone once disposed.</summary>
public sealed class AzuriteServerTests
{
    [Fact]
    public async Task Starts_on_a_free_loopback_port_answers_and_stops_cleanly()
    {
        var server = await AzuriteServer.StartAsync();
        var table = TableServiceFactory.FromConnectionString(server.ConnectionString, "fixture" + Guid.NewGuid().ToString("N")[..8]);
        Assert.Equal(201, (await table.CreateAsync()).GetRawResponse().Status);

        await server.DisposeAsync();

        Assert.True(server.HasExited);
        Assert.False(Directory.Exists(server.Location));
        using var client = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", server.Port));
    }
}
