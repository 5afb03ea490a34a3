using System.Buffers;
using System.Runtime.InteropServices;
using NoKV.Engine;
using NoKV.Mount.Interop;
using NoKV.Mount.Protocol;
using NoKV.Mount.Session;

namespace NoKV.Mount.FileSystem;

/// <summary>The read side: lookup, getattr, readlink, open/read/release, readdir, statfs, xattrs.</summary>
internal sealed partial class MountedFileSystem
{
    private static readonly int DirentSize = Marshal.SizeOf<FuseDirent>();
    private static readonly int EntryOutSize = Marshal.SizeOf<FuseEntryOut>();

    private void Lookup(FuseRequest r)
    {
        var (name, _) = r.NameAt(0);
        CheckNameLength(name);
        var found = _store.Queries.Lookup(View.ViewOf, Inode(r.Header.NodeId), name);
        if (found is not { } node)
        {
            ReplyNotFound(r, name);
            return;
        }
        var file = _files.File(node.Inode);
        var entry = Entry(r.Header.NodeId, name, file?.Overlay(node) ?? node);
        r.Reply(in entry);
    }

    private void GetAttr(FuseRequest r)
    {
        var reply = AttrOut(Attributes(Inode(r.Header.NodeId)));
        r.Reply(in reply);
    }

    private void ReadLink(FuseRequest r)
    {
        var node = _store.Queries.GetAttributes(View.ViewOf, Inode(r.Header.NodeId));
        if (node.LinkTarget is not { } target)
        {
            r.ReplyError(Errno.EINVAL);
            return;
        }
        r.Reply(target);
    }

    private async Task OpenAsync(FuseRequest r)
    {
        var open = r.Read<FuseOpenIn>();
        var fh = OpenHandle(Inode(r.Header.NodeId), open.Flags, out var errno);
        if (fh == 0)
        {
            r.ReplyError(errno);
            return;
        }
        // The kernel passes O_TRUNC to open (atomic_o_trunc) instead of a separate truncate.
        if ((open.Flags & FuseConstants.OTrunc) != 0 && (open.Flags & FuseConstants.OAccModeMask) != FuseConstants.OReadOnly)
        {
            await _files.Handle(fh)!.File.TruncateAsync(0, _store.MaxFileSize, CancellationToken.None).ConfigureAwait(false);
        }
        // A read-only handle has nothing to publish at close: no FLUSH round trip (grep -r opens every file).
        var readOnly = (open.Flags & FuseConstants.OAccModeMask) == FuseConstants.OReadOnly;
        var reply = new FuseOpenOut { Fh = fh, OpenFlags = KeepCacheFlag(fh) | (readOnly ? FuseConstants.FopenNoFlush : 0) };
        r.Reply(in reply);
    }

    /// <summary>FOPEN_KEEP_CACHE when the kernel's cached pages of the file hold the generation it is opened at.</summary>
    private uint KeepCacheFlag(ulong fh)
    {
        var file = _files.Handle(fh)!.File;
        return _cache.Opened(file.Inode, file.Generation) && _options.KeepCache ? FuseConstants.FopenKeepCache : 0;
    }

    /// <summary>Opens a handle on a file; 0 (with an errno) if the flags are refused.</summary>
    private ulong OpenHandle(long ino, uint flags, out int errno)
    {
        errno = 0;
        var writes = (flags & FuseConstants.OAccModeMask) != FuseConstants.OReadOnly;
        if ((flags & FuseConstants.ODirect) != 0)
        {
            // Every read and write goes through NoKV's chunk buffers; there is no direct I/O to offer.
            errno = Errno.EINVAL;
            return 0;
        }
        if (writes && View.IsReadOnly)
        {
            errno = Errno.EROFS;
            return 0;
        }
        var fh = _files.Open(ino, (flags & FuseConstants.OAppend) != 0, () =>
        {
            var version = OpenVersion.Open(_store, View.ViewOf, ino, View.SnapshotId);
            return new OpenFile(ino, version, _store.Queries.GetAttributes(View.ViewOf, ino));
        });
        return fh;
    }

    private async Task ReadAsync(FuseRequest r)
    {
        var read = r.Read<FuseReadIn>();
        var handle = _files.Handle(read.Fh);
        if (handle is null)
        {
            r.ReplyError(Errno.EBADF);
            return;
        }
        var buffer = ArrayPool<byte>.Shared.Rent((int)read.Size);
        try
        {
            var n = await handle.File.ReadAsync((long)read.Offset, buffer.AsMemory(0, (int)read.Size), CancellationToken.None).ConfigureAwait(false);
            r.Reply(buffer.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task ReleaseAsync(FuseRequest r)
    {
        var release = r.Read<FuseReleaseIn>();
        if (_files.Release(release.Fh) is { } last)
        {
            try
            {
                await PublishAsync(last).ConfigureAwait(false);
            }
            finally
            {
                if (_files.TryDrop(last)) await last.DisposeAsync().ConfigureAwait(false);
            }
        }
        r.ReplyOk();
    }

    private void OpenDir(FuseRequest r)
    {
        var ino = Inode(r.Header.NodeId);
        var node = _store.Queries.GetAttributes(View.ViewOf, ino);
        if (!node.IsDirectory)
        {
            r.ReplyError(Errno.ENOTDIR);
            return;
        }
        var fh = (ulong)Interlocked.Increment(ref _nextDirectoryHandle);
        _directories[fh] = new DirectoryHandle(ino);
        // The kernel may cache the listing and keep it across opens: changes through the mount
        // reset it in the kernel, changes beside it are dropped by notices (Invalidation.cs).
        var reply = new FuseOpenOut { Fh = fh, OpenFlags = _options.KeepCache ? FuseConstants.FopenCacheDir | FuseConstants.FopenKeepCache : 0 };
        r.Reply(in reply);
    }

    /// <summary>
    /// Entries from the kernel's offset: 1 is just past ".", 2 past "..", and 2+k past the k-th
    /// entry listed by this handle; a listing resumes after that entry's name, so entries added or
    /// removed between calls neither repeat nor hide others.
    /// </summary>
    private void ReadDir(FuseRequest r, bool plus)
    {
        var read = r.Read<FuseReadIn>();
        if (!_directories.TryGetValue(read.Fh, out var dir))
        {
            r.ReplyError(Errno.EBADF);
            return;
        }
        var offset = (long)read.Offset;
        var capacity = (int)read.Size;
        var output = ArrayPool<byte>.Shared.Rent(capacity);
        try
        {
            var used = 0;
            lock (dir)
            {
                var dirNode = NodeId(dir.Inode);
                if (offset < 1 && !TryAppend(output, capacity, ref used, plus, dirNode, (ulong)dir.Inode, 1, FuseConstants.DtDir, "."u8, null)) goto done;
                if (offset < 2)
                {
                    var parent = dir.Inode == View.RootInode ? dir.Inode : _store.Queries.GetAttributes(View.ViewOf, dir.Inode).Parent;
                    if (!TryAppend(output, capacity, ref used, plus, dirNode, (ulong)parent, 2, FuseConstants.DtDir, ".."u8, null)) goto done;
                }
                // Entries past the offset the kernel resumes from are listed again; a handle that
                // has not listed that far (the kernel resuming its cached listing with a new
                // handle) lists up to it first.
                var position = (int)Math.Max(0, offset - 2);
                if (position > dir.Listed.Count) CatchUp(dir, position);
                if (position < dir.Listed.Count) dir.Listed.RemoveRange(position, dir.Listed.Count - position);
                var after = position == 0 ? null : dir.Listed[position - 1];
                while (true)
                {
                    var page = _store.Queries.ReadDirectory(View.ViewOf, dir.Inode, after, 128);
                    foreach (var entry in page.Entries)
                    {
                        var next = (ulong)(dir.Listed.Count + 3);
                        NodeAttributes? attributes = plus ? Attributes(entry.Inode) : null;
                        if (!TryAppend(output, capacity, ref used, plus, dirNode, (ulong)entry.Inode, next, AttributeEncoding.DirentType(entry.Kind), entry.Name, attributes)) goto done;
                        dir.Listed.Add(entry.Name);
                    }
                    if (page.Next is null) break;
                    after = page.Next;
                }
            }
        done:
            r.Reply(output.AsSpan(0, used));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    /// <summary>Lists names into a handle until it holds <paramref name="position"/> (or the directory ends).</summary>
    private void CatchUp(DirectoryHandle dir, int position)
    {
        var after = dir.Listed.Count == 0 ? null : dir.Listed[^1];
        while (dir.Listed.Count < position)
        {
            var page = _store.Queries.ReadDirectory(View.ViewOf, dir.Inode, after, Math.Min(1024, position - dir.Listed.Count));
            foreach (var entry in page.Entries) dir.Listed.Add(entry.Name);
            if (page.Next is null || page.Entries.Count == 0) break;
            after = page.Next;
        }
    }

    /// <summary>
    /// One directory entry (READDIR), or with <paramref name="attributes"/> an entry plus its
    /// lookup (READDIRPLUS: the kernel caches the name and node as a lookup would, so a walk
    /// that stats every entry asks nothing more). "." and ".." carry no lookup (node id 0).
    /// </summary>
    private bool TryAppend(byte[] output, int capacity, ref int used, bool plus, ulong dirNode, ulong ino, ulong next, uint type, ReadOnlySpan<byte> name, NodeAttributes? attributes)
    {
        var lookupSize = plus ? EntryOutSize : 0;
        var size = lookupSize + ((DirentSize + name.Length + 7) & ~7);
        if (used + size > capacity) return false;
        var target = output.AsSpan(used, size);
        target.Clear();
        if (attributes is { } node)
        {
            var entry = Entry(dirNode, name, node);
            MemoryMarshal.Write(target, in entry);
        }
        var dirent = new FuseDirent { Ino = ino, Off = next, NameLen = (uint)name.Length, Type = type };
        MemoryMarshal.Write(target[lookupSize..], in dirent);
        name.CopyTo(target[(lookupSize + DirentSize)..]);
        used += size;
        return true;
    }

    private void ReleaseDir(FuseRequest r)
    {
        _directories.TryRemove(r.Read<FuseReleaseIn>().Fh, out _);
        r.ReplyOk();
    }

    private void StatFs(FuseRequest r)
    {
        // The disk the store lives on (the block store may be elsewhere; this is what local tools can see).
        var drive = new DriveInfo(_store.Directory);
        const uint blockSize = 4096;
        var reply = new FuseStatFsOut
        {
            Blocks = (ulong)drive.TotalSize / blockSize,
            BFree = (ulong)drive.TotalFreeSpace / blockSize,
            BAvail = (ulong)drive.AvailableFreeSpace / blockSize,
            Files = long.MaxValue,
            FFree = long.MaxValue,
            BSize = blockSize,
            FrSize = blockSize,
            NameLen = 255,
        };
        r.Reply(in reply);
    }

    /// <summary>NoKV stores no extended attributes: an empty list.</summary>
    private static void ListXAttr(FuseRequest r)
    {
        if (r.Read<FuseGetXAttrIn>().Size == 0)
        {
            var reply = new FuseGetXAttrOut { Size = 0 };
            r.Reply(in reply);
        }
        else
        {
            r.Reply([]);
        }
    }
}
