using System.Buffers;
using System.Net;
using System.Net.Http.Headers;

namespace MlConnector.Engine.Http;

/// <summary>
/// Bytes held in segments small enough to stay off the large object heap: a request body of 300 records or a page of
/// 1,000 BC records would otherwise be one large array per call (plus the copies a growing buffer leaves behind), which
/// only a full collection frees and which made a long first load's memory climb. Written as an
/// <see cref="IBufferWriter{T}"/> (Utf8JsonWriter, a CSV file) or read from a stream, and read back as a stream or sent
/// as HTTP content, as often as a retried call needs.
/// </summary>
internal sealed class SegmentedBuffer : IBufferWriter<byte>
{
    private const int SegmentSize = 32 * 1024;
    private readonly List<(byte[] Array, int Count)> _segments = new();
    private byte[]? _current;
    private int _used;

    public long Length { get; private set; }

    /// <summary>Reads a whole stream (a response body) into a new buffer.</summary>
    public static async Task<SegmentedBuffer> ReadAsync(Stream source, CancellationToken cancellationToken)
    {
        var buffer = new SegmentedBuffer();
        while (true)
        {
            var memory = buffer.GetMemory(SegmentSize / 2);
            var read = await source.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0) return buffer;
            buffer.Advance(read);
        }
    }

    public void Advance(int count)
    {
        _used += count;
        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Room(sizeHint).AsMemory(_used);

    public Span<byte> GetSpan(int sizeHint = 0) => Room(sizeHint).AsSpan(_used);

    /// <summary>Writes the bytes (for text the caller has encoded).</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            var span = GetSpan(1);
            var count = Math.Min(span.Length, bytes.Length);
            bytes[..count].CopyTo(span);
            Advance(count);
            bytes = bytes[count..];
        }
    }

    /// <summary>A stream over the bytes written so far; each call starts at the beginning.</summary>
    public Stream OpenRead() => new SegmentStream(Segments().ToArray(), Length);

    /// <summary>HTTP content of the bytes written so far, with its length; a new instance for each attempt of a call.</summary>
    public HttpContent ToContent(string? mediaType = null)
    {
        var content = new SegmentContent(this);
        if (mediaType is not null) content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = mediaType.StartsWith("application/json", StringComparison.Ordinal) ? "utf-8" : null };
        return content;
    }

    private IEnumerable<ReadOnlyMemory<byte>> Segments()
    {
        foreach (var (array, count) in _segments) yield return array.AsMemory(0, count);
        if (_current is not null && _used > 0) yield return _current.AsMemory(0, _used);
    }

    private byte[] Room(int sizeHint)
    {
        var need = Math.Max(sizeHint, 1);
        if (_current is not null && _current.Length - _used >= need) return _current;
        if (_current is not null && _used > 0) _segments.Add((_current, _used));
        _current = new byte[Math.Max(SegmentSize, need)];
        _used = 0;
        return _current;
    }

    private sealed class SegmentContent(SegmentedBuffer buffer) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            foreach (var segment in buffer.Segments()) await stream.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(buffer.OpenRead());

        protected override bool TryComputeLength(out long length)
        {
            length = buffer.Length;
            return true;
        }
    }

    private sealed class SegmentStream(ReadOnlyMemory<byte>[] segments, long length) : Stream
    {
        private int _segment;
        private int _offset;
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var total = 0;
            while (buffer.Length > 0 && _segment < segments.Length)
            {
                var rest = segments[_segment].Span[_offset..];
                var count = Math.Min(rest.Length, buffer.Length);
                rest[..count].CopyTo(buffer);
                buffer = buffer[count..];
                total += count;
                _offset += count;
                if (_offset == segments[_segment].Length) { _segment++; _offset = 0; }
            }
            _position += total;
            return total;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
