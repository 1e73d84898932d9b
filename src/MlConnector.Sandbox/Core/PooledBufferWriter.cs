using System.Buffers;

namespace MlConnector.Sandbox.Core;

/// <summary>
/// A growing byte buffer on <see cref="ArrayPool{T}.Shared"/>: a page of a thousand rows is written without a fresh
/// large-object array per page (which would set off full garbage collections of the whole sandbox heap).
/// Dispose gives the array back; the written bytes are invalid after that.
/// </summary>
internal sealed class PooledBufferWriter(int initialCapacity = 16 * 1024) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    private int _written;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_written);

    public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_written);

    private byte[] Ensure(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_written < 0, this);
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length) return _buffer;
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        return _buffer = larger;
    }

    public void Dispose()
    {
        if (_written < 0) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _written = -1;
    }
}
