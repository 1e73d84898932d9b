using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MlConnector.Engine.State;

/// <summary>
/// The version of a record an incremental read handled: its lastModifiedDateTime and a digest of its ETag. BC stamps
/// lastModifiedDateTime at SQL datetime precision (1/300 s), so two writes in one tick share a stamp; the ETag changes on
/// every write. An <see cref="ETagDigest"/> of 0 is unknown (no ETag, or a boundary stored before digests were kept):
/// the stamp alone decides then.
/// </summary>
public readonly record struct ReadVersion(DateTimeOffset LastModified, long ETagDigest)
{
    public static ReadVersion Of(DateTimeOffset lastModified, string? etag) => new(lastModified, Digest(etag));

    /// <summary>Whether <paramref name="read"/> is this same version of the record.</summary>
    public bool IsSameAs(ReadVersion read) =>
        LastModified == read.LastModified && (ETagDigest == 0 || read.ETagDigest == 0 || ETagDigest == read.ETagDigest);

    private static long Digest(string? etag)
    {
        if (string.IsNullOrEmpty(etag)) return 0;
        var digest = BinaryPrimitives.ReadInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(etag)));
        return digest == 0 ? 1 : digest;
    }
}
