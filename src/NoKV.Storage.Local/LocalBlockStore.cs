using System.Runtime.CompilerServices;
using NoKV.Storage.Local;

namespace NoKV;

/// <summary>
/// The embedded default block store, in a local directory. The chunks of one generation
/// ("{…}/{generation}/{n}") share one extent file, chunk n in slot n, written in place with a
/// checksummed slot entry and one flush, so a large file lies contiguously on disk and a put that
/// a crash interrupted reads as absent; any other block (and every block of a store written before
/// extents) is a file of its own, written atomically (temporary file, flush to disk, rename). A
/// reader or a crash sees all of a block or none of it. Its I/O is synchronous, so its async
/// methods complete synchronously. File system errors
/// surface as NoKV exceptions: <see cref="BlockMissingException"/> for a block that is not there,
/// <see cref="BlockStoreException"/> (with the <see cref="IOException"/> inside) for anything else.
/// Its maintenance (<see cref="IBlockStoreMaintenance"/>) deletes the temporary files of writes a
/// crash interrupted.
/// </summary>
public sealed class LocalBlockStore : IBlockStore, IBlockStoreMaintenance, IDisposable
{
    private readonly LocalBlockLayout _directory;
    private int _disposed;

    /// <summary>Opens (creating if needed) a block directory, with extent files of the default slot size.</summary>
    /// <param name="directory">Where the block files live.</param>
    /// <param name="durable">When true (the default), every block is flushed to disk before a put returns.</param>
    public LocalBlockStore(string directory, bool durable = true)
        : this(directory, new LocalBlockStoreOptions { Durable = durable })
    {
    }

    /// <summary>Opens (creating if needed) a block directory.</summary>
    /// <param name="directory">Where the block files live.</param>
    /// <param name="options">Durability and layout.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="LocalBlockStoreOptions.ExtentSlotSize"/> is not 0 or a multiple of 4096 up to the maximum.</exception>
    public LocalBlockStore(string directory, LocalBlockStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _directory = new LocalBlockLayout(directory, options.Durable, options.ExtentSlotSize);
    }

    /// <summary>The full path of the block directory.</summary>
    public string Directory => _directory.RootDirectory;

    /// <inheritdoc />
    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        BlockKeyRules.ValidateKey(key);
        ThrowIfUnusable(cancellationToken);
        try
        {
            _directory.Write(key, data.Span);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failed("storing", key, e);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<int> ReadAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        BlockKeyRules.ValidateKey(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ThrowIfUnusable(cancellationToken);
        try
        {
            return ValueTask.FromResult(_directory.Read(key, offset, destination.Span));
        }
        catch (FileNotFoundException e)
        {
            throw new BlockMissingException(key, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failed("reading", key, e);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        BlockKeyRules.ValidateKey(key);
        ThrowIfUnusable(cancellationToken);
        try
        {
            return ValueTask.FromResult(_directory.Delete(key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failed("deleting", key, e);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        BlockKeyRules.ValidateKey(key);
        ThrowIfUnusable(cancellationToken);
        try
        {
            return ValueTask.FromResult(_directory.Exists(key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failed("checking", key, e);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<BlockInfo> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        // Checked here, not on the first MoveNext, so a bad prefix fails at the call like the other operations.
        BlockKeyRules.ValidatePrefix(prefix);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ListCoreAsync(prefix, cancellationToken);
    }

    private async IAsyncEnumerable<BlockInfo> ListCoreAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        ThrowIfUnusable(cancellationToken);
        using var blocks = LocalBlockListing.List(_directory.RootDirectory, prefix).GetEnumerator();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            try
            {
                if (!blocks.MoveNext()) yield break;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Failed("listing", prefix, e);
            }
            yield return blocks.Current;
        }
    }

    /// <summary>Deletes the temporary files of block writes that a crash interrupted, once older than <paramref name="gracePeriod"/> (never those of writes running now).</summary>
    /// <exception cref="BlockStoreException">The block directory could not be walked.</exception>
    public ValueTask<BlockMaintenanceResult> RunMaintenanceAsync(TimeSpan gracePeriod, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gracePeriod, TimeSpan.Zero);
        ThrowIfUnusable(cancellationToken);
        try
        {
            return ValueTask.FromResult(new BlockMaintenanceResult(_directory.Files.DeleteStaleTemporaryFiles(gracePeriod, cancellationToken)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BlockStoreException($"Local block store: removing stale temporary files failed: {e.Message}", transient: false, e);
        }
    }

    /// <summary>Marks the store closed (every later call throws <see cref="ObjectDisposedException"/>) and closes the extent files it kept open for reading. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _directory.CloseHandles();
    }

    /// <inheritdoc cref="Dispose" />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void ThrowIfUnusable(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static BlockStoreException Failed(string action, string key, Exception e) =>
        new($"Local block store: {action} block '{key}' failed: {e.Message}", transient: false, e);
}
