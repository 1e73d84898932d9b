using MlConnector.Engine.State;
using MlConnector.Engine.Sync;

namespace MlConnector.Engine.Tests.Sync;

/// <summary>
/// The boundary an incremental read leaves: the newest time it saw, and the records no older than that time less the
/// overlap (the edge itself included), each in its newest version; older ones are dropped, during a long read too.
/// </summary>
public sealed class OverlapBoundaryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(5);

    private static ReadVersion At(TimeSpan sinceT0, long etag = 1) => new(T0 + sinceT0, etag);

    [Fact]
    public void Newest_is_the_latest_time_added_whatever_the_order()
    {
        var boundary = new OverlapBoundary(Overlap, new Dictionary<Guid, ReadVersion>());
        Assert.Null(boundary.Newest);

        boundary.Add(Guid.NewGuid(), At(TimeSpan.FromMinutes(1)));
        boundary.Add(Guid.NewGuid(), At(TimeSpan.FromMinutes(3)));
        boundary.Add(Guid.NewGuid(), At(TimeSpan.FromMinutes(2)));

        Assert.Equal(T0 + TimeSpan.FromMinutes(3), boundary.Newest);
    }

    [Fact]
    public void Records_keeps_those_at_the_edge_of_the_overlap_and_drops_older_ones_read_or_carried_over()
    {
        var (carriedOld, carriedAtEdge, readOld, readAtEdge, newest) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var previous = new Dictionary<Guid, ReadVersion>
        {
            [carriedOld] = At(TimeSpan.FromMinutes(4)),
            [carriedAtEdge] = At(TimeSpan.FromMinutes(5)),
        };
        var boundary = new OverlapBoundary(Overlap, previous);

        boundary.Add(readOld, At(TimeSpan.FromMinutes(4.5)));
        boundary.Add(newest, At(TimeSpan.FromMinutes(10)));
        boundary.Add(readAtEdge, At(TimeSpan.FromMinutes(5)));

        Assert.Equal(new[] { carriedAtEdge, readAtEdge, newest }.Order(), boundary.Records().Keys.Order());
    }

    [Fact]
    public void A_version_older_than_the_overlap_does_not_replace_the_newer_one_already_read()
    {
        var id = Guid.NewGuid();
        var boundary = new OverlapBoundary(Overlap, new Dictionary<Guid, ReadVersion>());

        boundary.Add(id, At(TimeSpan.FromMinutes(10), etag: 2));
        boundary.Add(id, At(TimeSpan.FromMinutes(1), etag: 1));

        Assert.Equal(KeyValuePair.Create(id, At(TimeSpan.FromMinutes(10), etag: 2)), Assert.Single(boundary.Records()));
    }

    [Fact]
    public void A_long_read_drops_the_records_behind_the_overlap_once_it_holds_more_than_4096()
    {
        var boundary = new OverlapBoundary(Overlap, new Dictionary<Guid, ReadVersion>());
        // Records() hands out the boundary's own dictionary: the only view of what it holds while the read goes on.
        var held = boundary.Records();

        // One record a minute: the overlap spans the newest record and the ones of the 5 minutes before it.
        for (var i = 0; i < 4096; i++) boundary.Add(Guid.NewGuid(), At(TimeSpan.FromMinutes(i)));
        Assert.Equal(4096, held.Count);

        boundary.Add(Guid.NewGuid(), At(TimeSpan.FromMinutes(4096)));
        Assert.Equal(6, held.Count);
        Assert.All(held.Values, v => Assert.True(v.LastModified >= T0 + TimeSpan.FromMinutes(4091)));
    }
}
