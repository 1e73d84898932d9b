using MlConnector.Engine.State;

namespace MlConnector.Engine.Tests.State;

public sealed class ReadVersionTests
{
    private static readonly DateTimeOffset Stamp = new(2026, 11, 30, 10, 0, 0, 3, TimeSpan.Zero);
    private const string ETag = "W/\"JzE5OzMyMzEwMTc5MjA2MzYwMTgyOTUxOzAwOyc=\"";
    private const string NextETag = "W/\"JzE5OzMyMzEwMTc5MjA2MzYwMTgyOTUyOzAwOyc=\"";

    [Fact]
    public void The_same_stamp_and_etag_is_the_version_read()
        => Assert.True(ReadVersion.Of(Stamp, ETag).IsSameAs(ReadVersion.Of(Stamp, ETag)));

    [Fact]
    public void A_write_in_the_same_tick_is_told_apart_by_its_etag()
        => Assert.False(ReadVersion.Of(Stamp, NextETag).IsSameAs(ReadVersion.Of(Stamp, ETag)));

    [Fact]
    public void A_later_stamp_is_a_newer_version_whatever_the_etag()
        => Assert.False(ReadVersion.Of(Stamp.AddMilliseconds(4), ETag).IsSameAs(ReadVersion.Of(Stamp, ETag)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Without_an_etag_the_digest_is_unknown_and_the_stamp_alone_decides(string? etag)
    {
        var unknown = ReadVersion.Of(Stamp, etag);

        Assert.Equal(0, unknown.ETagDigest);
        Assert.True(unknown.IsSameAs(ReadVersion.Of(Stamp, ETag)));
        Assert.True(ReadVersion.Of(Stamp, ETag).IsSameAs(unknown));
        Assert.False(unknown.IsSameAs(ReadVersion.Of(Stamp.AddMilliseconds(3), ETag)));
    }

    [Fact]
    public void The_digest_of_an_etag_is_the_same_in_every_process()
    {
        // Stored in the state, so it must not depend on string hashing randomised per process: pinned to SHA-256's first 8 bytes.
        var sha = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ETag));
        Assert.Equal(BitConverter.ToInt64(sha, 0), ReadVersion.Of(Stamp, ETag).ETagDigest);
        Assert.NotEqual(ReadVersion.Of(Stamp, ETag).ETagDigest, ReadVersion.Of(Stamp, NextETag).ETagDigest);
    }
}
