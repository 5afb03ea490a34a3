namespace NoKV.Diagnostics;

/// <summary>
/// Counts what passes between NoKV and its block store (blocks and bytes stored, bytes read,
/// blocks deleted) and passes every call on unchanged. The store wraps whatever block store it
/// was given in one of these, so no caller has to remember to count. Failed calls count nothing.
/// </summary>
internal sealed class InstrumentedBlockStore(IBlockStore inner, StoreInstruments instruments) : IBlockStore, IBlockStoreMaintenance
{
    /// <summary>The block store the store was configured with.</summary>
    public IBlockStore Inner { get; } = inner;

    public async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await Inner.PutAsync(key, data, cancellationToken).ConfigureAwait(false);
        instruments.BlocksUploaded.Add(1);
        instruments.BytesWritten.Add(data.Length);
    }

    public async ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(key, offset, destination, cancellationToken).ConfigureAwait(false);
        instruments.BytesRead.Add(read);
        return read;
    }

    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var deleted = await Inner.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        if (deleted) instruments.BlocksDeleted.Add(1);
        return deleted;
    }

    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Inner.ExistsAsync(key, cancellationToken);

    public IAsyncEnumerable<BlockInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => Inner.ListAsync(prefix, cancellationToken);

    /// <summary>
    /// Forwards maintenance to the configured store when it has any (a wrapper must not hide a
    /// capability); a store without it has nothing to maintain.
    /// </summary>
    public ValueTask<BlockMaintenanceResult> RunMaintenanceAsync(TimeSpan gracePeriod, CancellationToken cancellationToken = default) =>
        Inner is IBlockStoreMaintenance maintained
            ? maintained.RunMaintenanceAsync(gracePeriod, cancellationToken)
            : ValueTask.FromResult(new BlockMaintenanceResult(0));

    /// <summary>
    /// Owns nothing: the workspace store disposes the configured store itself, and only when it
    /// owns it, so disposing this wrapper never closes a block store the caller passed in.
    /// </summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
