using NoKV.Blocks;

namespace NoKV.Streams;

/// <summary>
/// One chunk's bytes, read and verified, in a buffer rented from its reader's recycler. Exactly one
/// holder at a time; <see cref="Release"/> gives the buffer back (once, however often it is called).
/// </summary>
internal sealed class LoadedChunk(int index, byte[] buffer, int length, ChunkBufferRecycler buffers)
{
    private byte[]? _buffer = buffer;

    /// <summary>The chunk's index in its file.</summary>
    public int Index { get; } = index;

    /// <summary>How many bytes the chunk holds.</summary>
    public int Length { get; } = length;

    /// <summary>The chunk's bytes; only until <see cref="Release"/>.</summary>
    public ReadOnlyMemory<byte> Bytes => (_buffer ?? throw new ObjectDisposedException(nameof(LoadedChunk))).AsMemory(0, Length);

    /// <summary>Returns the buffer for reuse; the bytes must not be used after this.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer) buffers.Return(buffer);
    }
}
