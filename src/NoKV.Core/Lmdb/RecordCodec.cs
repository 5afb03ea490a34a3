using System.Buffers.Binary;

namespace NoKV.Lmdb;

/// <summary>A tiny little-endian writer for record values.</summary>
internal sealed class RecordWriter
{
    private byte[] _buffer = new byte[64];
    private int _length;

    public RecordWriter I64(long value) { BinaryPrimitives.WriteInt64LittleEndian(Grow(8), value); return this; }
    public RecordWriter I32(int value) { BinaryPrimitives.WriteInt32LittleEndian(Grow(4), value); return this; }
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

/// <summary>The matching reader; throws <see cref="StoreCorruptedException"/> on a short record.</summary>
internal ref struct RecordReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _pos;

    public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));
    public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public byte U8() => Take(1)[0];
    public byte[] Bytes() => Take(I32()).ToArray();

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n < 0 || _pos + n > _data.Length) throw new StoreCorruptedException("A metadata record is shorter than its format requires.");
        var span = _data.Slice(_pos, n);
        _pos += n;
        return span;
    }
}
