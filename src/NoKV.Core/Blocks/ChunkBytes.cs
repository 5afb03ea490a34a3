using NoKV.Lmdb;

namespace NoKV.Blocks;

/// <summary>
/// Reads a chunk's bytes wherever they live: a block from the block store, an inline chunk from
/// its record, a zero chunk from nowhere. Every reader goes through here, so a new storage kind
/// is one case, not one per reader.
/// </summary>
internal static class ChunkBytes
{
    /// <summary>
    /// Fills <paramref name="into"/> from the start of the chunk and returns how many bytes it
    /// holds, as a block read does: a caller passes room for one byte more than the chunk's length,
    /// so a block that grew shows (inline and zero chunks cannot grow).
    /// </summary>
    public static async ValueTask<int> ReadAsync(IBlockStore blocks, ChunkRecord chunk, Memory<byte> into, CancellationToken cancellationToken)
    {
        switch (chunk.Storage)
        {
            case ChunkStorage.Inline:
                var n = Math.Min(chunk.Data.Length, into.Length);
                chunk.Data.AsSpan(0, n).CopyTo(into.Span);
                return n;
            case ChunkStorage.Zeros:
                var zeros = Math.Min(chunk.Length, into.Length);
                into.Span[..zeros].Clear();
                return zeros;
            default:
                return await blocks.ReadAsync(chunk.BlockKey, 0, into, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Throws <see cref="BlockCorruptedException"/> unless <paramref name="data"/> (read with room for one more byte) is exactly the chunk.</summary>
    public static void Verify(ChunkRecord expected, ReadOnlySpan<byte> data)
    {
        if (ChunkChecksum.Mismatch(expected, data) is { } mismatch) throw new BlockCorruptedException(expected.BlockKey, mismatch);
    }
}
