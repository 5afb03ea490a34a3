using System.Collections.Concurrent;
using NoKV.Engine;

namespace NoKV.Mount.FileSystem;

/// <summary>
/// The mount's open files by inode (one <see cref="OpenFile"/> shared by all handles of a file)
/// and its file handles by the number the kernel holds. The last handle's release publishes the
/// file and drops it, unless a new open came in meanwhile.
/// </summary>
internal sealed class OpenFileTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, OpenFile> _files = [];
    private readonly ConcurrentDictionary<ulong, FileHandle> _handles = new();
    private long _nextHandle;

    /// <summary>Opens a handle on inode <paramref name="ino"/>; <paramref name="open"/> makes the file's state if it is not open yet.</summary>
    public ulong Open(long ino, bool append, Func<OpenFile> open)
    {
        OpenFile file;
        lock (_gate)
        {
            if (!_files.TryGetValue(ino, out file!))
            {
                file = open();
                _files[ino] = file;
            }
            file.Handles++;
        }
        var fh = (ulong)Interlocked.Increment(ref _nextHandle);
        _handles[fh] = new FileHandle(file, append);
        return fh;
    }

    public FileHandle? Handle(ulong fh) => _handles.GetValueOrDefault(fh);

    public OpenFile? File(long ino)
    {
        lock (_gate) return _files.GetValueOrDefault(ino);
    }

    /// <summary>Ends a handle; returns its file when it was the last one (the caller publishes it, then calls <see cref="TryDrop"/>).</summary>
    public OpenFile? Release(ulong fh)
    {
        if (!_handles.TryRemove(fh, out var handle)) return null;
        lock (_gate)
        {
            handle.File.Handles--;
            return handle.File.Handles == 0 ? handle.File : null;
        }
    }

    /// <summary>Forgets the file if still no handle has it; true if the caller should dispose it.</summary>
    public bool TryDrop(OpenFile file)
    {
        lock (_gate)
        {
            if (file.Handles != 0 || !_files.TryGetValue(file.Inode, out var current) || current != file) return false;
            _files.Remove(file.Inode);
            return true;
        }
    }

    public List<OpenFile> All()
    {
        lock (_gate) return [.. _files.Values];
    }

    /// <summary>Takes every file out of the table (the session ended).</summary>
    public List<OpenFile> DrainAll()
    {
        lock (_gate)
        {
            var all = _files.Values.ToList();
            _files.Clear();
            _handles.Clear();
            return all;
        }
    }
}

/// <summary>One open(2) of a file through the mount: the shared file, and whether writes append.</summary>
internal sealed record FileHandle(OpenFile File, bool Append);

/// <summary>
/// One opendir(3): the names listed so far, so a readdir offset (an index the kernel hands back)
/// resumes after the right name even if entries were added or removed meanwhile.
/// </summary>
internal sealed class DirectoryHandle(long inode)
{
    public long Inode { get; } = inode;

    public List<byte[]> Listed { get; } = [];
}
