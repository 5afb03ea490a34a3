using NoKV.Engine;
using NoKV.Lmdb;
using NoKV.Mount.Interop;
using NoKV.Mount.Protocol;
using NoKV.Mount.Session;

namespace NoKV.Mount.FileSystem;

/// <summary>
/// The write side: create, mkdir, symlink, unlink, rmdir, rename, setattr, write, flush, fsync.
/// Namespace changes are one metadata transaction each; file bytes are buffered per open file
/// and published as one version at flush, fsync or the last release.
/// </summary>
internal sealed partial class MountedFileSystem
{
    private const uint PermissionBits = 0xFFF;

    private WorkspaceRef Workspace => View.Workspace ?? throw new ReadOnlySnapshotException(View.SnapshotId);

    /// <summary>A new node with the caller's uid and gid (and mode), in one transaction.</summary>
    private NodeAttributes CreateNode(FuseRequest r, long parent, byte[] name, RecordKind kind, uint? mode, byte[]? linkTarget = null)
    {
        var text = NameText(name);
        return _store.Mutations.WithHead(Workspace, (writer, record) =>
        {
            var ino = NamespaceEdits.Create(writer, _store.Ids, parent, text, kind, record.Id, _store.ChunkSize, linkTarget);
            NamespaceEdits.SetAttributes(writer, ino, new AttributeChange(
                Mode: mode is { } m ? (int)(m & PermissionBits) : null, OwnerId: r.Header.Uid, GroupId: r.Header.Gid));
            return NodeAttributes.Of(ino, NamespaceTree.Node(writer.Txn, writer.View, ino));
        }, "MountCreate");
    }

    private void MkDir(FuseRequest r)
    {
        var mkdir = r.Read<FuseMkDirIn>();
        var (name, _) = r.NameAt(8);
        var entry = Entry(r.Header.NodeId, name, CreateNode(r, Inode(r.Header.NodeId), name, RecordKind.Directory, mkdir.Mode & ~mkdir.Umask));
        r.Reply(in entry);
    }

    private void MkNod(FuseRequest r)
    {
        var mknod = r.Read<FuseMkNodIn>();
        if ((mknod.Mode & FuseConstants.SIfMt) != FuseConstants.SIfReg)
        {
            r.ReplyError(Errno.EPERM); // NoKV stores no device nodes, fifos or sockets
            return;
        }
        var (name, _) = r.NameAt(16);
        var entry = Entry(r.Header.NodeId, name, CreateNode(r, Inode(r.Header.NodeId), name, RecordKind.File, mknod.Mode & ~mknod.Umask));
        r.Reply(in entry);
    }

    private void Symlink(FuseRequest r)
    {
        var (name, next) = r.NameAt(0);
        var (target, _) = r.NameAt(next);
        // The target is validated as any link target is (length, no NUL) by the engine's rules.
        var targetBytes = Paths.PathRules.LinkTargetBytes(NameText(target), "target");
        var entry = Entry(r.Header.NodeId, name, CreateNode(r, Inode(r.Header.NodeId), name, RecordKind.SymbolicLink, mode: null, targetBytes));
        r.Reply(in entry);
    }

    private void Unlink(FuseRequest r)
    {
        var (name, _) = r.NameAt(0);
        var parent = Inode(r.Header.NodeId);
        var victim = _store.Queries.Lookup(View.ViewOf, parent, name);
        _store.Mutations.Unlink(Workspace, parent, NameText(name));
        if (victim is { } gone) _files.File(gone.Inode)?.MarkUnlinked();
        r.ReplyOk();
    }

    private void RmDir(FuseRequest r)
    {
        var (name, _) = r.NameAt(0);
        _store.Mutations.RemoveDirectory(Workspace, Inode(r.Header.NodeId), NameText(name));
        r.ReplyOk();
    }

    private void Rename(FuseRequest r, ulong newDirectory, uint flags, int namesAt)
    {
        if ((flags & FuseConstants.RenameExchange) != 0 || (flags & ~(FuseConstants.RenameNoReplace | FuseConstants.RenameExchange)) != 0)
        {
            r.ReplyError(Errno.EINVAL); // RENAME_EXCHANGE and RENAME_WHITEOUT are not supported
            return;
        }
        var (name, next) = r.NameAt(namesAt);
        var (newName, _) = r.NameAt(next);
        var parent = Inode(r.Header.NodeId);
        var newParent = Inode(newDirectory);
        var replaced = _store.Queries.Lookup(View.ViewOf, newParent, newName);
        var moved = _store.Queries.Lookup(View.ViewOf, parent, name);
        _store.Mutations.Rename(Workspace, parent, NameText(name), newParent, NameText(newName), replace: (flags & FuseConstants.RenameNoReplace) == 0);
        if (replaced is { } gone && gone.Inode != moved?.Inode) _files.File(gone.Inode)?.MarkUnlinked();
        r.ReplyOk();
    }

    private async Task CreateAsync(FuseRequest r)
    {
        var create = r.Read<FuseCreateIn>();
        var (name, _) = r.NameAt(16);
        var parent = Inode(r.Header.NodeId);
        NodeAttributes node;
        if (_store.Queries.Lookup(View.ViewOf, parent, name) is { } existing)
        {
            if ((create.Flags & FuseConstants.OExcl) != 0)
            {
                r.ReplyError(Errno.EEXIST);
                return;
            }
            if (existing.IsDirectory)
            {
                r.ReplyError(Errno.EISDIR);
                return;
            }
            node = existing;
        }
        else
        {
            node = CreateNode(r, parent, name, RecordKind.File, create.Mode & ~create.Umask);
        }
        var fh = OpenHandle(node.Inode, create.Flags, out var errno);
        if (fh == 0)
        {
            r.ReplyError(errno);
            return;
        }
        if ((create.Flags & FuseConstants.OTrunc) != 0 && node.Size > 0)
        {
            await _files.Handle(fh)!.File.TruncateAsync(0, _store.MaxFileSize, CancellationToken.None).ConfigureAwait(false);
        }
        var reply = new CreateReply { Entry = Entry(r.Header.NodeId, name, Attributes(node.Inode)), Open = new FuseOpenOut { Fh = fh, OpenFlags = KeepCacheFlag(fh) } };
        r.Reply(in reply);
    }

    private async Task WriteAsync(FuseRequest r)
    {
        var write = r.Read<FuseWriteIn>();
        var handle = _files.Handle(write.Fh);
        if (handle is null)
        {
            r.ReplyError(Errno.EBADF);
            return;
        }
        var headerSize = System.Runtime.InteropServices.Marshal.SizeOf<FuseWriteIn>();
        var data = r.BodyMemory.Slice(headerSize, (int)write.Size);
        var offset = (long)write.Offset;
        if (offset < 0)
        {
            r.ReplyError(Errno.EINVAL);
            return;
        }
        var publishNow = await handle.File.WriteAsync(offset, data, _store.MaxFileSize, CancellationToken.None).ConfigureAwait(false);
        if (publishNow) await PublishAsync(handle.File).ConfigureAwait(false);
        var reply = new FuseWriteOut { Size = write.Size };
        r.Reply(in reply);
    }

    private async Task FlushAsync(FuseRequest r, ulong fh)
    {
        if (_files.Handle(fh) is { } handle) await PublishAsync(handle.File).ConfigureAwait(false);
        r.ReplyOk();
    }

    private async Task SyncFsAsync(FuseRequest r)
    {
        await PublishAllAsync().ConfigureAwait(false);
        await _store.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        r.ReplyOk();
    }

    /// <summary>fsync of a directory: its entries (as every change the mount made) become durable.</summary>
    private async Task FSyncDirAsync(FuseRequest r)
    {
        await _store.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        r.ReplyOk();
    }

    /// <summary>fsync: the file's buffered writes become a version, and (as with every change the mount made) durable.</summary>
    private async Task FSyncAsync(FuseRequest r, ulong fh)
    {
        if (_files.Handle(fh) is { } handle) await PublishAsync(handle.File).ConfigureAwait(false);
        await _store.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        r.ReplyOk();
    }

    private async Task SetAttrAsync(FuseRequest r)
    {
        var set = r.Read<FuseSetAttrIn>();
        var ino = Inode(r.Header.NodeId);
        var file = (set.Valid & FuseConstants.SetFh) != 0 ? _files.Handle(set.Fh)?.File : _files.File(ino);
        file ??= _files.File(ino);
        if ((set.Valid & FuseConstants.SetSize) != 0)
        {
            if (file is not null) await file.TruncateAsync((long)set.Size, _store.MaxFileSize, CancellationToken.None).ConfigureAwait(false);
            else await _store.Content.Truncate(Workspace, ino, (long)set.Size, CancellationToken.None).ConfigureAwait(false);
        }
        long? modified = (set.Valid & FuseConstants.SetMTimeNow) != 0 ? DateTime.UtcNow.Ticks
            : (set.Valid & FuseConstants.SetMTime) != 0 ? AttributeEncoding.Ticks(set.MTime, set.MTimeNsec) : null;
        // Buffered writes publish later and would move the time to then: such a file takes it after.
        if (modified is { } ticks && file is not null && await file.TrySetPendingModifiedAsync(ticks, CancellationToken.None).ConfigureAwait(false)) modified = null;
        var change = new AttributeChange(
            Mode: (set.Valid & FuseConstants.SetMode) != 0 ? (int)(set.Mode & PermissionBits) : null,
            OwnerId: (set.Valid & FuseConstants.SetUid) != 0 ? set.Uid : null,
            GroupId: (set.Valid & FuseConstants.SetGid) != 0 ? set.Gid : null,
            ModifiedUtcTicks: modified);
        if (change != default && file is not { Unlinked: true }) _store.Mutations.SetAttributes(Workspace, ino, change);
        var reply = AttrOut(Attributes(ino));
        r.Reply(in reply);
    }

    /// <summary>CREATE's reply: the new entry, then the open file.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct CreateReply
    {
        public FuseEntryOut Entry;
        public FuseOpenOut Open;
    }
}
