using System.Text;

namespace MlConnector.Engine;

/// <summary>
/// Short texts kept by the hundred thousand (contact numbers, person names) as UTF-8 in shared 32 KB blocks: a few bytes
/// each instead of a string object each, and nothing on the large object heap. A text is found again by where it starts
/// and its length in bytes; what is written is never moved or freed until <see cref="Clear"/>.
/// </summary>
internal sealed class PackedText
{
    private const int BlockSize = 32 * 1024;
    private readonly List<byte[]> _blocks = [];
    private int _used = BlockSize;

    /// <summary>Writes the texts one after the other; returns where the first starts and the length of each.</summary>
    public int Add(ReadOnlySpan<string> texts, Span<ushort> lengths)
    {
        var total = 0;
        for (var i = 0; i < texts.Length; i++)
        {
            // Codes, numbers and names in BC are a few dozen characters; a length past 65,535 bytes is not one of them.
            lengths[i] = checked((ushort)Encoding.UTF8.GetByteCount(texts[i]));
            total += lengths[i];
        }
        if (_used + total > BlockSize)
        {
            _blocks.Add(new byte[Math.Max(BlockSize, total)]);
            _used = 0;
        }
        var at = checked(((_blocks.Count - 1) * BlockSize) + _used);
        var block = _blocks[^1].AsSpan(_used);
        foreach (var text in texts) block = block[Encoding.UTF8.GetBytes(text, block)..];
        _used += total;
        return at;
    }

    /// <summary>The text of <paramref name="length"/> bytes at <paramref name="at"/> (plus <paramref name="skip"/> bytes).</summary>
    public string Read(int at, int skip, int length)
        => Encoding.UTF8.GetString(_blocks[at / BlockSize].AsSpan((at % BlockSize) + skip, length));

    public void Clear()
    {
        _blocks.Clear();
        _used = BlockSize;
    }
}
