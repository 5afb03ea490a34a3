using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NoKV.Engine;
using NoKV.Mount.Interop;
using NoKV.Mount.Protocol;
using NoKV.Mount.Session;

namespace NoKV.Mount.FileSystem;

/// <summary>
/// The file system a mount serves: each FUSE request translated to the inode-level namespace
/// engine (node ids are NoKV inodes; the kernel's root node 1 stands for the view's root inode),
/// and every failure answered with an errno (<see cref="ErrnoMapping"/>). Reads are in
/// MountedFileSystem.Reads.cs, changes in MountedFileSystem.Writes.cs.
/// </summary>
internal sealed partial class MountedFileSystem
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly WorkspaceStore _store;
    private readonly MountOptions _options;
    private readonly OpenFileTable _files = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, DirectoryHandle> _directories = new();
    private long _nextDirectoryHandle;

    public MountedFileSystem(WorkspaceStore store, MountedView view, MountOptions options)
    {
        _store = store;
        _options = options;
        View = options.ReadOnly ? view with { IsReadOnly = true } : view;
        Logger = store.Logger ?? NullLogger.Instance;
    }

    public MountedView View { get; }

    /// <summary>The session's connection, for notices to the kernel (set once the session exists).</summary>
    public FuseConnection? Connection { get; set; }

    public ILogger Logger { get; }

    /// <summary>What is mounted, for log lines.</summary>
    public string Name => View.Workspace is { } ws ? ws.Path : $"snapshot {View.SnapshotId}";

    public async Task HandleAsync(FuseRequest request)
    {
        // POSIX durability, whatever the store's own setting: a change is published when its
        // request returns and durable at fsync, syncfs, unmount or within the store's flush
        // interval; a build writing 10,000 files pays no durable commit per file.
        using var deferred = WorkspaceStore.DeferWrites();
        s_serving.Value = this;
        try
        {
            await DispatchAsync(request).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            request.ReplyError(ErrnoMapping.Of(e, Logger, request.Opcode.ToString(), request.Header.NodeId));
        }
    }

    private Task DispatchAsync(FuseRequest r)
    {
        if (View.IsReadOnly && IsChange(r.Opcode))
        {
            r.ReplyError(Errno.EROFS);
            return Task.CompletedTask;
        }
        switch (r.Opcode)
        {
            case FuseOpcode.Lookup: Lookup(r); break;
            case FuseOpcode.GetAttr: GetAttr(r); break;
            case FuseOpcode.ReadLink: ReadLink(r); break;
            case FuseOpcode.Open: return OpenAsync(r);
            case FuseOpcode.Read: return ReadAsync(r);
            case FuseOpcode.Release: return ReleaseAsync(r);
            case FuseOpcode.OpenDir: OpenDir(r); break;
            case FuseOpcode.ReadDir: ReadDir(r, plus: false); break;
            case FuseOpcode.ReadDirPlus: ReadDir(r, plus: true); break;
            case FuseOpcode.ReleaseDir: ReleaseDir(r); break;
            case FuseOpcode.StatFs: StatFs(r); break;
            case FuseOpcode.Access or FuseOpcode.Destroy: r.ReplyOk(); break;
            case FuseOpcode.FSyncDir: return FSyncDirAsync(r);
            // ENOSYS once: the kernel stops asking (getxattr then fails with EOPNOTSUPP without a
            // round trip); ENODATA is not cached, and ls -l asks for every entry.
            case FuseOpcode.GetXAttr: r.ReplyError(Errno.ENOSYS); break;
            case FuseOpcode.ListXAttr: ListXAttr(r); break;
            case FuseOpcode.SetXAttr: r.ReplyError(Errno.ENOTSUP); break;
            case FuseOpcode.RemoveXAttr: r.ReplyError(Errno.ENODATA); break;
            case FuseOpcode.SetAttr: return SetAttrAsync(r);
            case FuseOpcode.MkDir: MkDir(r); break;
            case FuseOpcode.MkNod: MkNod(r); break;
            case FuseOpcode.Symlink: Symlink(r); break;
            case FuseOpcode.Unlink: Unlink(r); break;
            case FuseOpcode.RmDir: RmDir(r); break;
            case FuseOpcode.Rename: Rename(r, r.Read<FuseRenameIn>().NewDir, 0, 8); break;
            case FuseOpcode.Rename2:
                var rename2 = r.Read<FuseRename2In>();
                Rename(r, rename2.NewDir, rename2.Flags, 16);
                break;
            case FuseOpcode.Link: r.ReplyError(Errno.EPERM); break; // NoKV has no hard links
            case FuseOpcode.Create: return CreateAsync(r);
            case FuseOpcode.Write: return WriteAsync(r);
            case FuseOpcode.Flush: return FlushAsync(r, r.Read<FuseFlushIn>().Fh);
            case FuseOpcode.FSync: return FSyncAsync(r, r.Read<FuseFSyncIn>().Fh);
            case FuseOpcode.SyncFs: return SyncFsAsync(r);
            default: r.ReplyError(Errno.ENOSYS); break;
        }
        return Task.CompletedTask;
    }

    private static bool IsChange(FuseOpcode opcode) => opcode is FuseOpcode.SetAttr or FuseOpcode.Symlink or FuseOpcode.MkNod
        or FuseOpcode.MkDir or FuseOpcode.Unlink or FuseOpcode.RmDir or FuseOpcode.Rename or FuseOpcode.Rename2 or FuseOpcode.Link
        or FuseOpcode.Create or FuseOpcode.Write or FuseOpcode.SetXAttr or FuseOpcode.RemoveXAttr;

    /// <summary>The NoKV inode a kernel node id stands for.</summary>
    private long Inode(ulong nodeId) => nodeId == FuseConstants.RootId ? View.RootInode : (long)nodeId;

    /// <summary>The kernel node id of a NoKV inode.</summary>
    private ulong NodeId(long ino)
    {
        if (ino == View.RootInode) return FuseConstants.RootId;
        // Node id 1 is the root's; an inode numbered 1 elsewhere would be ambiguous (ids start
        // past the first workspace's own records, so this does not happen in a real store).
        return ino == (long)FuseConstants.RootId ? throw new StoreCorruptedException("inode 1 is not the mounted root") : (ulong)ino;
    }

    private static string NameText(byte[] name)
    {
        CheckNameLength(name);
        try
        {
            return StrictUtf8.GetString(name);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidPathException(Encoding.UTF8.GetString(name), "NoKV names are UTF-8");
        }
    }

    /// <summary>A name longer than any NoKV name (255 UTF-8 bytes) is ENAMETOOLONG, as on a local file system.</summary>
    private static void CheckNameLength(byte[] name)
    {
        if (name.Length > Paths.PathRules.MaxNameBytes) throw new NameTooLongException();
    }

    /// <summary>A node's attributes, with a file's buffered writes (length, time) when it is open here.</summary>
    private NodeAttributes Attributes(long ino)
    {
        var file = _files.File(ino);
        try
        {
            var stored = _store.Queries.GetAttributes(View.ViewOf, ino);
            return file?.Overlay(stored) ?? stored;
        }
        catch (PathNotFoundException) when (file is not null)
        {
            // An open file that was unlinked is still there for its handles (fstat).
            return file.Overlay(file.Attributes);
        }
    }

    /// <summary>An entry reply for <paramref name="name"/> in <paramref name="parentNode"/>; the kernel caches it, so it is recorded.</summary>
    private FuseEntryOut Entry(ulong parentNode, ReadOnlySpan<byte> name, in NodeAttributes node)
    {
        var entry = Entry(node);
        _cache.Answered(parentNode, name, entry.NodeId);
        return entry;
    }

    private FuseEntryOut Entry(in NodeAttributes node)
    {
        var (entrySeconds, entryNanos) = AttributeEncoding.Timeout(_options.EntryTimeout);
        var (attrSeconds, attrNanos) = AttributeEncoding.Timeout(_options.AttributeTimeout);
        return new FuseEntryOut
        {
            NodeId = NodeId(node.Inode),
            EntryValid = entrySeconds,
            EntryValidNsec = entryNanos,
            AttrValid = attrSeconds,
            AttrValidNsec = attrNanos,
            Attr = AttributeEncoding.ToFuse(node),
        };
    }

    /// <summary>A lookup that found nothing: with a negative timeout, an entry with node id 0 that the kernel caches as "no such name".</summary>
    private void ReplyNotFound(FuseRequest r, ReadOnlySpan<byte> name)
    {
        if (_options.NegativeEntryTimeout <= TimeSpan.Zero)
        {
            r.ReplyError(Errno.ENOENT);
            return;
        }
        var (seconds, nanos) = AttributeEncoding.Timeout(_options.NegativeEntryTimeout);
        var negative = new FuseEntryOut { NodeId = 0, EntryValid = seconds, EntryValidNsec = nanos };
        _cache.Answered(r.Header.NodeId, name, 0);
        r.Reply(in negative);
    }

    private FuseAttrOut AttrOut(in NodeAttributes node)
    {
        var (seconds, nanos) = AttributeEncoding.Timeout(_options.AttributeTimeout);
        return new FuseAttrOut { AttrValid = seconds, AttrValidNsec = nanos, Attr = AttributeEncoding.ToFuse(node) };
    }

    /// <summary>
    /// Publishes a file's buffered writes; the new version's times differ from the ones the
    /// kernel cached while it wrote, so its cached attributes are dropped (a tool that stats a
    /// file twice, like tar, must see the same times both times).
    /// </summary>
    private async Task PublishAsync(OpenFile file)
    {
        if (await file.PublishAsync(_store, View, CancellationToken.None).ConfigureAwait(false))
        {
            _cache.Published(file.Inode, file.Generation);
            Connection?.InvalidateAttributes(NodeId(file.Inode));
        }
    }

    /// <summary>Publishes every open file's buffered writes (unmount, syncfs).</summary>
    public async Task PublishAllAsync()
    {
        foreach (var file in _files.All())
        {
            try
            {
                await PublishAsync(file).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NoKVException or IOException)
            {
                MountLog.PublishAtUnmountFailed(Logger, e, file.Inode);
            }
        }
    }

    /// <summary>Publishes what every open file holds, then makes everything the mount published durable (syncfs, unmount).</summary>
    public async Task PublishAllDurablyAsync()
    {
        s_serving.Value = this; // its own publishes: no notices to itself
        await PublishAllAsync().ConfigureAwait(false);
        await FlushStoreAsync().ConfigureAwait(false);
    }

    /// <summary>Makes the store's published changes durable; a store that refuses (its deferred commit failed) is logged, not thrown, at unmount.</summary>
    private async Task FlushStoreAsync()
    {
        try
        {
            await _store.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NoKVException or ObjectDisposedException)
        {
            MountLog.FlushAtUnmountFailed(Logger, e, Name);
        }
    }

    /// <summary>The session ended: publish what open files still hold, make it durable, and release their versions.</summary>
    public async Task ShutdownAsync()
    {
        s_serving.Value = this;
        Unsubscribe();
        await PublishAllDurablyAsync().ConfigureAwait(false);
        foreach (var file in _files.DrainAll()) await file.DisposeAsync().ConfigureAwait(false);
        _directories.Clear();
    }
}
