namespace NoKV.Storage.Local;

/// <summary>
/// The file mechanics behind <see cref="LocalBlockStore"/>: one file per block key. Writes are
/// atomic and durable: the bytes go to a temporary file that is flushed to disk and then renamed
/// into place, so a reader (or a crash) sees either no block or the whole block, never a torn one.
/// Thread-safe. Keys reach it already checked against <see cref="BlockKeyRules"/>; file system
/// errors come out as they are, and the store maps them.
/// </summary>
internal sealed class LocalBlockDirectory
{
    private readonly string _root;
    private readonly bool _durable;

    // Temporary files of writes running now, in this process: never stale, whatever their age.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _writing = new(StringComparer.Ordinal);

    /// <summary>Opens (creating if needed) a block directory.</summary>
    /// <param name="rootDirectory">The directory that holds the block files.</param>
    /// <param name="durable">When true (the default), each block is flushed to disk before it is renamed into place.</param>
    public LocalBlockDirectory(string rootDirectory, bool durable = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        _root = Path.GetFullPath(rootDirectory);
        _durable = durable;
        Directory.CreateDirectory(_root);
    }

    /// <summary>The full path of the block directory.</summary>
    public string RootDirectory => _root;

    /// <summary>Writes a block atomically, replacing any block with the same key.</summary>
    public void Write(string key, ReadOnlySpan<byte> data)
    {
        var path = PathOf(key);
        var dir = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(dir, BlockKeyRules.ReservedSegmentPrefix + Guid.NewGuid().ToString("N"));
        _writing[temp] = 0;
        try
        {
            using (var file = CreateTempFile(dir, temp))
            {
                file.Write(data);
                if (_durable) file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDeleteFile(temp);
            throw;
        }
        finally
        {
            _writing.TryRemove(temp, out _);
        }
    }

    private static FileStream CreateTempFile(string dir, string temp)
    {
        // A concurrent Delete may prune a parent directory between our CreateDirectory and the
        // file create; recreating it and trying again is enough, since pruning only removes
        // directories that are empty.
        for (var attempt = 0; ; attempt++)
        {
            Directory.CreateDirectory(dir);
            try
            {
                return new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
            }
            catch (DirectoryNotFoundException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes of a block starting at
    /// <paramref name="offset"/>; returns the number of bytes read (0 at or past the end).
    /// </summary>
    /// <exception cref="FileNotFoundException">The block does not exist.</exception>
    public int Read(string key, long offset, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var path = PathOf(key);
        try
        {
            // Blocks are read front to back: the hint widens the kernel's readahead for each file.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
            var total = 0;
            while (total < destination.Length)
            {
                var n = RandomAccess.Read(handle, destination[total..], offset + total);
                if (n == 0) break;
                total += n;
            }
            return total;
        }
        catch (DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Block '{key}' does not exist.", path);
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            // The key is only the start of other keys ("1/2" beside "1/2/3"): no block, as on S3.
            throw new FileNotFoundException($"Block '{key}' does not exist.", path);
        }
    }

    /// <summary>Returns the length of a block, or -1 if it does not exist.</summary>
    public long GetLength(string key)
    {
        var info = new FileInfo(PathOf(key));
        return info.Exists ? info.Length : -1;
    }

    /// <summary>Deletes a block; returns false if it did not exist. Empty parent directories are pruned.</summary>
    public bool Delete(string key)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        PruneEmptyParents(Path.GetDirectoryName(path)!);
        return true;
    }

    /// <summary>
    /// Deletes temporary files left by writes that never finished (a crash between create and
    /// rename) and are older than <paramref name="olderThan"/>; returns how many were deleted.
    /// A write still running through this instance is never touched, whatever its age.
    /// </summary>
    public int DeleteStaleTemporaryFiles(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var cutoff = DateTime.UtcNow - olderThan;
        var deleted = 0;
        foreach (var file in Directory.EnumerateFiles(_root, BlockKeyRules.ReservedSegmentPrefix + "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_writing.ContainsKey(file)) continue;
            if (File.GetLastWriteTimeUtc(file) > cutoff) continue;
            if (TryDeleteFile(file)) deleted++;
        }
        return deleted;
    }

    private string PathOf(string key) => Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Removes a directory and its parents up to the root while they are empty (best effort).</summary>
    public void PruneEmptyParents(string dir)
    {
        // Best effort: a concurrent writer may be creating a block in the same directory, in which
        // case the delete fails (not empty) or the writer's CreateDirectory recreates it.
        while (dir.Length > _root.Length && dir.StartsWith(_root, StringComparison.Ordinal))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(dir).Any()) return;
                Directory.Delete(dir, recursive: false);
            }
            catch (IOException) { return; }
            catch (UnauthorizedAccessException) { return; }
            dir = Path.GetDirectoryName(dir)!;
        }
    }

    private static bool TryDeleteFile(string path)
    {
        try { File.Delete(path); return true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
