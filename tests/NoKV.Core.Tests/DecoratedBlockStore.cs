namespace NoKV.Tests;

/// <summary>
/// A block store that passes every call to a real one. The tests' fault-injecting and pausing
/// decorators derive from it and override only the calls they change.
/// </summary>
public abstract class DecoratedBlockStore(IBlockStore inner) : IBlockStore
{
    public IBlockStore Inner { get; } = inner;

    public virtual ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => Inner.PutAsync(key, data, cancellationToken);
    public virtual ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default) => Inner.ReadAsync(key, offset, destination, cancellationToken);
    public virtual ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => Inner.DeleteAsync(key, cancellationToken);
    public virtual ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => Inner.ExistsAsync(key, cancellationToken);
    public virtual IAsyncEnumerable<BlockInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => Inner.ListAsync(prefix, cancellationToken);
}
