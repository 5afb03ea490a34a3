using System.Buffers.Binary;

namespace NoKV.Lmdb;

/// <summary>A tiny little-endian writer for record values.</summary>
internal sealed class RecordWriter
{
    private byte[] _buffer = new byte[64];
    private int _length;

    public RecordWriter I64(long value) { BinaryPrimitives.WriteInt64LittleEndian(Grow(8), value); return this; }
    public RecordWriter I32(int value) { BinaryPrimitives.WriteInt32LittleEndian(Grow(4), value); return this; }
    public RecordWriter U32(uint value) { BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), value); return this; }
    public RecordWriter U8(byte value) { Grow(1)[0] = value; return this; }
    public RecordWriter Bytes(ReadOnlySpan<byte> value)
    {
        I32(value.Length);
        value.CopyTo(Grow(value.Length));
        return this;
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    private Span<byte> Grow(int n)
    {
        if (_length + n > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + n));
        var span = _buffer.AsSpan(_length, n);
        _length += n;
        return span;
    }
}

/// <summary>
/// The matching reader; throws <see cref="StoreCorruptedException"/> on a short record or a field
/// outside its domain. Records carry no checksum, so a damaged byte inside one reaches this
/// reader; checking each field's domain here keeps such damage a NoKV exception instead of an
/// <see cref="ArgumentOutOfRangeException"/> (or worse, a negative array length) deep in a caller.
/// </summary>
internal ref struct RecordReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));
    public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    public byte U8() => Take(1)[0];
    public byte[] Bytes() => Take(I32()).ToArray();

    /// <summary>A count, size, id or index: never negative.</summary>
    public long Count64() => Checked(I64(), "a negative count, size or id");

    /// <inheritdoc cref="Count64"/>
    public int Count32() => (int)Checked(I32(), "a negative count, size or index");

    /// <summary>UTC ticks that <see cref="DateTime"/> can hold.</summary>
    public long Ticks()
    {
        var ticks = I64();
        return ticks is >= 0 and <= 3155378975999999999 /* DateTime.MaxValue.Ticks */ ? ticks : throw Invalid("a timestamp out of range");
    }

    /// <summary>A <see cref="RecordKind"/> this format defines.</summary>
    public RecordKind Kind()
    {
        var kind = (RecordKind)U8();
        return kind is RecordKind.Tombstone or RecordKind.File or RecordKind.Directory or RecordKind.SymbolicLink ? kind : throw Invalid($"an unknown node kind {(byte)kind}");
    }

    /// <summary>A <see cref="ChunkStorage"/> this format defines.</summary>
    public ChunkStorage Storage()
    {
        var storage = (ChunkStorage)U8();
        return storage is ChunkStorage.Block or ChunkStorage.Inline or ChunkStorage.Zeros ? storage : throw Invalid($"an unknown chunk storage {(byte)storage}");
    }

    /// <summary>Workspace flags this format defines.</summary>
    public WorkspaceFlags Flags()
    {
        var flags = (WorkspaceFlags)I32();
        return (flags & ~WorkspaceFlags.ReadOnly) == 0 ? flags : throw Invalid($"unknown workspace flags {(int)flags}");
    }

    /// <summary>Permission bits: nothing beyond <see cref="InodeRecord.ModeMask"/>.</summary>
    public int Mode()
    {
        var mode = I32();
        return (mode & ~InodeRecord.ModeMask) == 0 ? mode : throw Invalid($"a mode with bits beyond 07777 ({mode})");
    }

    /// <summary>A uid or gid: any 32-bit value but (uid_t)-1, which chown reads as "unchanged".</summary>
    public uint Id()
    {
        var id = U32();
        return id != uint.MaxValue ? id : throw Invalid("the owner id (uid_t)-1");
    }

    /// <summary>Nothing may follow the last field (a record of another layout is not read as this one).</summary>
    public readonly void End()
    {
        if (_pos != _data.Length) throw Invalid("bytes past the end of its format");
    }

    private static long Checked(long value, string what) => value >= 0 ? value : throw Invalid(what);

    private static StoreCorruptedException Invalid(string what) => new($"A metadata record holds {what}.");

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || _pos + n > _data.Length) throw new StoreCorruptedException("A metadata record is shorter than its format requires.");
        var span = _data.Slice(_pos, n);
        _pos += n;
        return span;
    }
}
