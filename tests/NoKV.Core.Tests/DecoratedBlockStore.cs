namespace NoKV.Tests;

/// <summary>
/// A block store that passes every call to a real one. The tests' fault-injecting and pausing
/// decorators derive from it and override only the calls they change. It forwards maintenance
/// and disposal too, as any decorator should: GC finds maintenance by interface, so a decorator
/// that did not forward it would hide the inner store's housekeeping.
/// </summary>
public abstract class DecoratedBlockStore(IBlockStore inner) : IBlockStore, IBlockStoreMaintenance
{
    public IBlockStore Inner { get; } = inner;

    public virtual ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => Inner.PutAsync(key, data, cancellationToken);
    public virtual ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default) => Inner.ReadAsync(key, offset, destination, cancellationToken);
    public virtual ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => Inner.DeleteAsync(key, cancellationToken);
    public virtual ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Inner.ExistsAsync(key, cancellationToken);
    public virtual IAsyncEnumerable<BlockInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => Inner.ListAsync(prefix, cancellationToken);

    /// <summary>The inner store's maintenance, or nothing done when it has none.</summary>
    public virtual ValueTask<BlockMaintenanceResult> RunMaintenanceAsync(TimeSpan gracePeriod, CancellationToken cancellationToken = default) =>
        Inner is IBlockStoreMaintenance maintenance ? maintenance.RunMaintenanceAsync(gracePeriod, cancellationToken) : ValueTask.FromResult(default(BlockMaintenanceResult));

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return Inner.DisposeAsync();
    }
}
