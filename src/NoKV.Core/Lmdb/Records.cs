using System.Text;

namespace NoKV.Lmdb;

/// <summary>What a node record describes; <see cref="Tombstone"/> hides older versions of the key.</summary>
internal enum RecordKind : byte
{
    Tombstone = 0,
    File = 1,
    Directory = 2,
    SymbolicLink = 3,
}

/// <summary>What a workspace allows, beyond its tree (format 4).</summary>
[Flags]
internal enum WorkspaceFlags
{
    None = 0,
    /// <summary>Every write into the workspace is refused (<see cref="ReadOnlyWorkspaceException"/>); its clones are writable.</summary>
    ReadOnly = 1,
}

/// <summary>
/// A workspace: its identity (id, root inode), its current head layer, its flags, when it
/// expires (UTC ticks; 0: never) and the snapshot a clone took of its source (0: none), which
/// expiry releases with it.
/// </summary>
internal sealed record WorkspaceRecord(long Id, long RootInode, long HeadLayer, long CreatedVersion, long CreatedUtcTicks, WorkspaceFlags Flags = WorkspaceFlags.None, long ExpiresUtcTicks = 0, long OriginPin = 0)
{
    public bool IsReadOnly => (Flags & WorkspaceFlags.ReadOnly) != 0;

    public byte[] Encode() => new RecordWriter().I64(Id).I64(RootInode).I64(HeadLayer).I64(CreatedVersion).I64(CreatedUtcTicks).I32((int)Flags).I64(ExpiresUtcTicks).I64(OriginPin).ToArray();

    public static WorkspaceRecord Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        var record = new WorkspaceRecord(r.Count64(), r.Count64(), r.Count64(), r.Count64(), r.Ticks(), r.Flags(), r.Ticks(), r.Count64());
        r.End();
        return record;
    }

    /// <summary>Reads a workspace record of store formats 1 to 3, before workspaces had flags.</summary>
    public static WorkspaceRecord DecodeFormat3(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        var record = new WorkspaceRecord(r.Count64(), r.Count64(), r.Count64(), r.Count64(), r.Ticks());
        r.End();
        return record;
    }
}

/// <summary>
/// A layer of the version tree. <see cref="HeadOf"/> is the workspace writing into it (0 once
/// frozen or dead); pins and children keep a frozen layer alive; <see cref="RecordCount"/> counts
/// its records (an empty head can be skipped when freezing).
/// </summary>
internal sealed record LayerRecord(long Parent, long HeadOf, int PinCount, int ChildCount, long RecordCount)
{
    public bool IsHead => HeadOf != 0;

    public byte[] Encode() => new RecordWriter().I64(Parent).I64(HeadOf).I32(PinCount).I32(ChildCount).I64(RecordCount).ToArray();

    public static LayerRecord Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        return new(r.Count64(), r.Count64(), r.Count32(), r.Count32(), r.Count64());
    }
}

/// <summary>A snapshot pin: a frozen layer seen from one directory inode, and when it expires (UTC ticks; 0: never).</summary>
internal sealed record PinRecord(long Layer, long RootInode, long WorkspaceId, long ReadVersion, long CreatedUtcTicks, string Root, string WorkspacePath, long ExpiresUtcTicks = 0)
{
    public byte[] Encode() => new RecordWriter().I64(Layer).I64(RootInode).I64(WorkspaceId).I64(ReadVersion).I64(CreatedUtcTicks)
        .Bytes(Encoding.UTF8.GetBytes(Root)).Bytes(Encoding.UTF8.GetBytes(WorkspacePath)).I64(ExpiresUtcTicks).ToArray();

    public static PinRecord Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        var record = new PinRecord(r.Count64(), r.Count64(), r.Count64(), r.Count64(), r.Ticks(), Encoding.UTF8.GetString(r.Bytes()), Encoding.UTF8.GetString(r.Bytes()), r.Ticks());
        r.End();
        return record;
    }

    /// <summary>Reads a pin record of store formats 1 to 3, before snapshots could expire.</summary>
    public static PinRecord DecodeFormat3(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        return new(r.Count64(), r.Count64(), r.Count64(), r.Count64(), r.Ticks(), Encoding.UTF8.GetString(r.Bytes()), Encoding.UTF8.GetString(r.Bytes()));
    }
}

/// <summary>
/// One version of an inode. Files carry their generation (the version of their bytes), size and
/// chunk size; a symbolic link its target (UTF-8, stored as given, never resolved) with the
/// target's length as its size. Every inode records its parent and name so a changed inode maps
/// back to a path, and the attributes a POSIX tree has: modification and change times (UTC
/// ticks), permission bits (<see cref="UnixFileMode"/>'s 12 bits) and owner uid/gid.
/// </summary>
internal sealed record InodeRecord(
    RecordKind Kind, long Parent, byte[] Name, long Generation, long Size, int ChunkSize,
    long ModifiedUtcTicks, long ChangedUtcTicks, int Mode, uint OwnerId, uint GroupId, byte[] LinkTarget)
{
    public static readonly InodeRecord Tombstone = new(RecordKind.Tombstone, 0, [], 0, 0, 0, 0, 0, 0, 0, 0, []);

    /// <summary>The permission bits a mode may hold: rwx for user, group, other, and setuid, setgid, sticky.</summary>
    public const int ModeMask = 0xFFF;

    /// <summary>The longest link target, in UTF-8 bytes (Linux's PATH_MAX less its NUL).</summary>
    public const int MaxLinkTargetBytes = 4095;

    public bool IsFile => Kind == RecordKind.File;
    public bool IsDirectory => Kind == RecordKind.Directory;
    public bool IsSymbolicLink => Kind == RecordKind.SymbolicLink;

    /// <summary>
    /// A new node's record: created now, owned by this process's effective user and group, with
    /// the default mode of its kind (0644 a file, 0755 a directory, 0777 a link).
    /// </summary>
    public static InodeRecord New(RecordKind kind, long parent, byte[] name, long generation = 0, long size = 0, int chunkSize = 0, byte[]? linkTarget = null)
    {
        var now = DateTime.UtcNow.Ticks;
        return new(kind, parent, name, generation, size, chunkSize, now, now, DefaultMode(kind), ProcessIdentity.User, ProcessIdentity.Group, linkTarget ?? []);
    }

    /// <summary>The mode a new node of <paramref name="kind"/> gets.</summary>
    public static int DefaultMode(RecordKind kind) => kind switch
    {
        RecordKind.Directory => 0x1ED, // 0755
        RecordKind.SymbolicLink => 0x1FF, // 0777
        _ => 0x1A4, // 0644
    };

    /// <summary>This node after a change of its metadata only (chmod, chown, rename): the change time is now.</summary>
    public InodeRecord MetadataChanged() => this with { ChangedUtcTicks = DateTime.UtcNow.Ticks };

    /// <summary>This node after a change of its content (bytes, or a directory's entries): modification and change time are now.</summary>
    public InodeRecord ContentChanged()
    {
        var now = DateTime.UtcNow.Ticks;
        return this with { ModifiedUtcTicks = now, ChangedUtcTicks = now };
    }

    /// <summary>
    /// True when the two versions agree on what a diff compares besides a file's bytes: kind,
    /// mode, owner, group and link target. Times are not compared (a touch is not a change).
    /// </summary>
    public bool SameAttributes(InodeRecord other) =>
        Kind == other.Kind && Mode == other.Mode && OwnerId == other.OwnerId && GroupId == other.GroupId && LinkTarget.AsSpan().SequenceEqual(other.LinkTarget);

    public byte[] Encode() => new RecordWriter().U8((byte)Kind).I64(Parent).Bytes(Name).I64(Generation).I64(Size).I32(ChunkSize)
        .I64(ModifiedUtcTicks).I64(ChangedUtcTicks).I32(Mode).U32(OwnerId).U32(GroupId).Bytes(LinkTarget).ToArray();

    public static InodeRecord Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        var record = new InodeRecord(r.Kind(), r.Count64(), r.Bytes(), r.Count64(), r.Count64(), r.Count32(),
            r.Ticks(), r.Ticks(), r.Mode(), r.Id(), r.Id(), r.Bytes());
        r.End();
        var linkShaped = record.LinkTarget.Length is > 0 and <= MaxLinkTargetBytes && record.Size == record.LinkTarget.Length && record.Generation == 0;
        if (record.IsSymbolicLink != linkShaped && record.Kind != RecordKind.Tombstone)
            throw new StoreCorruptedException("A metadata record holds a link target on a node that is not a link, or a link without a valid target.");
        return record;
    }

    /// <summary>
    /// Reads a record of store format 1, which had no change time, mode, owner or link target:
    /// the upgrade gives it its modification time as change time, its kind's default mode and
    /// <paramref name="owner"/>/<paramref name="group"/>.
    /// </summary>
    public static InodeRecord DecodeFormat1(ReadOnlySpan<byte> data, uint owner, uint group)
    {
        var r = new RecordReader(data);
        var kind = r.Kind();
        if (kind == RecordKind.SymbolicLink) throw new StoreCorruptedException("A format 1 metadata record holds a symbolic link, which that format did not have.");
        var (parent, name, generation, size, chunkSize, modified) = (r.Count64(), r.Bytes(), r.Count64(), r.Count64(), r.Count32(), r.Ticks());
        r.End();
        return kind == RecordKind.Tombstone
            ? Tombstone
            : new(kind, parent, name, generation, size, chunkSize, modified, modified, DefaultMode(kind), owner, group, []);
    }
}

/// <summary>One version of a directory entry: the child inode and its kind, or a tombstone.</summary>
internal sealed record DentryRecord(long Child, RecordKind Kind)
{
    public static readonly DentryRecord Tombstone = new(0, RecordKind.Tombstone);

    public byte[] Encode() => new RecordWriter().I64(Child).U8((byte)Kind).ToArray();

    public static DentryRecord Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        return new(r.Count64(), r.Kind());
    }
}

/// <summary>
/// One generation of a file's bytes: how many inode records reference it (when none do, its
/// blocks are garbage), which workspace and inode minted its blocks (their key is
/// {owner}/{blockInode}/{gen}/{chunk}), and its chunk layout.
/// </summary>
internal sealed record GenerationRecord(long RefCount, long OwnerWorkspace, long BlockInode, long Size, int ChunkSize, int ChunkCount)
{
    public byte[] Encode() => new RecordWriter().I64(RefCount).I64(OwnerWorkspace).I64(BlockInode).I64(Size).I32(ChunkSize).I32(ChunkCount).ToArray();

    public static GenerationRecord Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        return new(r.Count64(), r.Count64(), r.Count64(), r.Count64(), r.Count32(), r.Count32());
    }
}

/// <summary>Where a chunk's bytes live.</summary>
internal enum ChunkStorage : byte
{
    /// <summary>In a block of the block store.</summary>
    Block = 0,

    /// <summary>In the chunk record itself (a small file, or a file's small last chunk): no block, no block fsync.</summary>
    Inline = 1,

    /// <summary>Nowhere: every byte is zero (a hole: a file grown by truncate or a write past its end, or a chunk written as zeros).</summary>
    Zeros = 2,
}

/// <summary>
/// One published chunk: its length and XxHash3 checksum (verified on every read), where its
/// bytes live (<see cref="Storage"/>), and for a block or inline chunk its identity: the
/// workspace, inode, generation and index that minted it. A chunk a generation minted names
/// itself; a chunk it borrowed unchanged from an older generation (append, truncate, a write at
/// an offset) names the generation that minted it. Only block chunks are reference-counted: an
/// inline chunk travels inside its record, and a zero chunk holds nothing.
/// </summary>
internal sealed record ChunkRecord(int Length, ulong Checksum, long BlockOwner, long BlockInode, long BlockGen, int BlockIndex, ChunkStorage Storage, byte[] Data)
{
    /// <summary>A chunk whose bytes are in a block.</summary>
    public static ChunkRecord InBlock(int length, ulong checksum, long owner, long inode, long gen, int index) =>
        new(length, checksum, owner, inode, gen, index, ChunkStorage.Block, []);

    /// <summary>A chunk whose bytes are kept in the record.</summary>
    public static ChunkRecord Inline(ReadOnlySpan<byte> data, long owner, long inode, long gen, int index) =>
        new(data.Length, Blocks.ChunkChecksum.Of(data), owner, inode, gen, index, ChunkStorage.Inline, data.ToArray());

    /// <summary>A chunk of <paramref name="length"/> zero bytes, stored nowhere.</summary>
    public static ChunkRecord Zeros(int length) => new(length, 0, 0, 0, 0, 0, ChunkStorage.Zeros, []);

    /// <summary>True when the bytes are in a block of the block store (counted, uploaded, deleted by GC).</summary>
    public bool HasBlock => Storage == ChunkStorage.Block;

    public byte[] Encode() => new RecordWriter().I32(Length).I64((long)Checksum).I64(BlockOwner).I64(BlockInode).I64(BlockGen).I32(BlockIndex)
        .U8((byte)Storage).Bytes(Data).ToArray();

    public static ChunkRecord Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        var record = new ChunkRecord(r.Count32(), (ulong)r.I64(), r.Count64(), r.Count64(), r.Count64(), r.Count32(), r.Storage(), r.Bytes());
        r.End();
        var consistent = record.Storage switch
        {
            ChunkStorage.Inline => record.Data.Length == record.Length,
            _ => record.Data.Length == 0,
        };
        return consistent ? record : throw new StoreCorruptedException($"A metadata chunk record of storage {record.Storage} holds {record.Data.Length} bytes for a chunk of {record.Length}.");
    }

    /// <summary>Reads a chunk record of store formats 1 and 2, when every chunk was a block.</summary>
    public static ChunkRecord DecodeFormat2(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        var record = InBlock(r.Count32(), (ulong)r.I64(), r.Count64(), r.Count64(), r.Count64(), r.Count32());
        r.End();
        return record;
    }

    /// <summary>The key of the block holding this chunk (for an inline chunk, the key it would have: its identity in messages).</summary>
    public string BlockKey => Storage == ChunkStorage.Zeros ? "(zeros)" : Blocks.BlockKeys.Of(BlockOwner, BlockInode, BlockGen, BlockIndex);

    /// <summary>The block's identity in the block reference counts.</summary>
    public byte[] BlockRefKey => Keys.Chunk(BlockGen, BlockIndex);

    /// <summary>True if <paramref name="gen"/> minted this chunk (rather than borrowing it).</summary>
    public bool MintedBy(long gen) => BlockGen == gen;
}

/// <summary>
/// A write session's intent, recorded before its first block upload: if the session never
/// publishes (a crash, a failed publish), GC finds its blocks here and deletes them.
/// </summary>
internal sealed record PendingRecord(long OwnerWorkspace, long BlockInode, long StartedUtcTicks)
{
    public string BlockPrefix(long gen) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{OwnerWorkspace}/{BlockInode}/{gen}/");

    public byte[] Encode() => new RecordWriter().I64(OwnerWorkspace).I64(BlockInode).I64(StartedUtcTicks).ToArray();

    public static PendingRecord Decode(ReadOnlySpan<byte> data)
    {
        var r = new RecordReader(data);
        return new(r.Count64(), r.Count64(), r.Ticks());
    }
}
