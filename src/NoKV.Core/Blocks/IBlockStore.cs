namespace NoKV;

/// <summary>
/// Where file bytes live: immutable blocks addressed by '/'-separated keys
/// ("{workspace}/{inode}/{generation}/{chunk}"). NoKV writes each key once, publishes the
/// metadata only after <see cref="PutAsync"/> returned, and deletes a key only once no live
/// workspace or snapshot can reach it. Implementations must be thread-safe, and a completed put
/// must be durable.
/// </summary>
public interface IBlockStore
{
    /// <summary>Stores a block durably and atomically (readers see all of it or none of it).</summary>
    ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes starting at <paramref name="offset"/>
    /// and returns how many were read (fewer only at the end of the block).
    /// </summary>
    /// <exception cref="BlockMissingException">The block does not exist.</exception>
    ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Deletes a block; returns false if it did not exist.</summary>
    ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>True if the block exists.</summary>
    ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Lists the blocks whose keys start with <paramref name="prefix"/> ("" for all).</summary>
    IAsyncEnumerable<BlockInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);
}
