using System.Buffers;
using System.Collections.Concurrent;

namespace NoKV.Blocks;

/// <summary>
/// The chunk buffers of one stream, recycled within it. A write session's buffers are rented on
/// the writer's thread and come back on the threads its uploads ran on; handing them straight back
/// to the shared pool would park them in other threads' and cores' caches, so a long session would
/// keep renting new ones and hold far more than the few chunks it uses. Here a stream keeps up to
/// <paramref name="maxKept"/> buffers for itself and gives them to the shared pool when it ends.
/// </summary>
internal sealed class ChunkBufferRecycler(int maxKept)
{
    private readonly ConcurrentStack<byte[]> _free = new();

    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes (contents undefined).</summary>
    public byte[] Rent(int minimumLength)
    {
        while (_free.TryPop(out var buffer))
        {
            if (buffer.Length >= minimumLength) return buffer;
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return ArrayPool<byte>.Shared.Rent(minimumLength);
    }

    /// <summary>Takes a buffer back for the next <see cref="Rent"/>; beyond the few kept, it goes to the shared pool.</summary>
    public void Return(byte[] buffer)
    {
        if (_free.Count < maxKept) _free.Push(buffer);
        else ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>Gives every kept buffer to the shared pool (a buffer returned after this is left to the GC).</summary>
    public void Clear()
    {
        while (_free.TryPop(out var buffer)) ArrayPool<byte>.Shared.Return(buffer);
    }
}
