namespace NoKV;

/// <summary>
/// Where file bytes live: immutable blocks addressed by '/'-separated keys
/// ("{workspace}/{inode}/{generation}/{chunk}"). NoKV writes each key once, publishes the
/// metadata only after <see cref="PutAsync"/> returned, and deletes a key only once no live
/// workspace or snapshot can reach it. Implementations must be thread-safe, and a completed put
/// must be durable.
/// </summary>
/// <remarks>
/// <para>
/// Every implementation keeps the same promises, which the contract test suite checks for each
/// (tests/NoKV.Core.Tests/BlockStoreContract):
/// </para>
/// <list type="bullet">
/// <item>Keys and prefixes follow <see cref="BlockKeyRules"/>; anything else is refused with an
/// <see cref="ArgumentException"/> before the store is touched.</item>
/// <item>A key that is a whole-segment prefix of another stored key ("a/b" beside "a/b/c") is not
/// supported: a store on a file system cannot hold both, and NoKV never writes such keys (all of its
/// keys have four segments).</item>
/// <item>Failures of the store itself surface as <see cref="BlockStoreException"/> (with
/// <see cref="NoKVException.IsTransient"/> set when a retry may help), a missing block on read as
/// <see cref="BlockMissingException"/>; a cancelled token as <see cref="OperationCanceledException"/>.</item>
/// <item>After <see cref="IAsyncDisposable.DisposeAsync"/> (safe to call more than once) every operation
/// throws <see cref="ObjectDisposedException"/>.</item>
/// </list>
/// <para>
/// A store that has housekeeping to do (leftovers of interrupted writes) also implements
/// <see cref="IBlockStoreMaintenance"/>; NoKV's garbage collector finds it by that interface, so a
/// decorator must implement and forward it to keep it.
/// </para>
/// </remarks>
public interface IBlockStore : IAsyncDisposable
{
    /// <summary>Stores a block durably and atomically (readers see all of it or none of it), replacing a block with the same key.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> breaks <see cref="BlockKeyRules"/>.</exception>
    ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes starting at <paramref name="offset"/>
    /// and returns how many were read: fewer only at the end of the block, 0 at or past its end.
    /// </summary>
    /// <exception cref="BlockMissingException">The block does not exist (also with an empty <paramref name="destination"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> breaks <see cref="BlockKeyRules"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Deletes a block; returns true if it existed, false if there was nothing to delete (so deleting twice is safe).</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> breaks <see cref="BlockKeyRules"/>.</exception>
    ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>True if the block exists.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> breaks <see cref="BlockKeyRules"/>.</exception>
    ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists every block whose key starts with <paramref name="prefix"/>, compared character by
    /// character (ordinal), in no particular order. The prefix is a plain string prefix, not a
    /// directory: "1/2" lists "1/2/0/0" and also "1/20/0/0"; "1/2/" lists only keys under "1/2/";
    /// "" lists every block. Keys the store holds for its own purposes (temporary files) are never
    /// listed.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is not the start of any valid key (see <see cref="BlockKeyRules.ValidatePrefix"/>).</exception>
    IAsyncEnumerable<BlockInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);
}
