namespace NoKV.Tests;

/// <summary>
/// A real block store whose PUTs start failing after a number of them, with an exception of the
/// test's choosing (a full disk, a transient error that outlived its retries).
/// </summary>
public sealed class FaultyBlockStore(IBlockStore inner, Func<string, Exception> fault) : IBlockStore
{
    private int _remaining = int.MaxValue;

    /// <summary>How many more PUTs succeed before each further one fails.</summary>
    public int PutsBeforeFailing
    {
        get => Volatile.Read(ref _remaining);
        set => Volatile.Write(ref _remaining, value);
    }

    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Decrement(ref _remaining) < 0) throw fault(key);
        return inner.PutAsync(key, data, cancellationToken);
    }

    public ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default) => inner.ReadAsync(key, offset, destination, cancellationToken);
    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => inner.ExistsAsync(key, cancellationToken);
    public IAsyncEnumerable<BlockInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);
}
