using System.Runtime.CompilerServices;
using NoKV.Storage.Local;

namespace NoKV;

/// <summary>
/// The embedded default block store: one file per block in a local directory, written atomically
/// and flushed to disk (see <see cref="LocalBlockDirectory"/>). Its I/O is synchronous, so its
/// async methods complete synchronously. File system errors surface as NoKV exceptions:
/// <see cref="BlockMissingException"/> for a block that is not there, <see cref="BlockStoreException"/>
/// (with the <see cref="IOException"/> inside) for anything else.
/// </summary>
public sealed class LocalBlockStore : IBlockStore
{
    private readonly LocalBlockDirectory _directory;

    /// <summary>Opens (creating if needed) a block directory.</summary>
    /// <param name="directory">Where the block files live.</param>
    /// <param name="durable">When true (the default), every block is flushed to disk before a put returns.</param>
    public LocalBlockStore(string directory, bool durable = true) => _directory = new LocalBlockDirectory(directory, durable);

    /// <summary>The full path of the block directory.</summary>
    public string Directory => _directory.RootDirectory;

    /// <inheritdoc />
    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
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
        cancellationToken.ThrowIfCancellationRequested();
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
        cancellationToken.ThrowIfCancellationRequested();
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
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_directory.GetLength(key) >= 0);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlockInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var entry in _directory.List(prefix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new BlockInfo(entry.Key, entry.Length, entry.LastWriteUtc);
        }
    }

    private static BlockStoreException Failed(string action, string key, Exception e) =>
        new($"Local block store: {action} block '{key}' failed: {e.Message}", transient: false, e);

    /// <summary>Deletes temporary files of block writes that crashed before finishing (never those of writes running now).</summary>
    internal int DeleteStaleTemporaryFiles(TimeSpan olderThan) => _directory.DeleteStaleTemporaryFiles(olderThan);
}
