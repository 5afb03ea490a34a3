using System.Buffers;
using System.Runtime.InteropServices;
using NoKV.Mount.Protocol;

namespace NoKV.Mount.Session;

/// <summary>
/// One request read from /dev/fuse: its header, its body (typed structs and NUL-terminated
/// names at offsets), and the one reply it gets. Owns its pooled buffer until disposed.
/// </summary>
internal sealed class FuseRequest : IDisposable
{
    private static readonly int HeaderSize = Marshal.SizeOf<FuseInHeader>();
    private readonly FuseConnection _connection;
    private byte[]? _buffer;
    private readonly int _length;

    public FuseRequest(FuseConnection connection, byte[] buffer, int length)
    {
        _connection = connection;
        _buffer = buffer;
        _length = length;
        Header = MemoryMarshal.Read<FuseInHeader>(buffer);
    }

    public FuseInHeader Header { get; }

    public FuseOpcode Opcode => Header.Opcode;

    public ReadOnlySpan<byte> Body => _buffer.AsSpan(HeaderSize, _length - HeaderSize);

    public ReadOnlyMemory<byte> BodyMemory => _buffer.AsMemory(HeaderSize, _length - HeaderSize);

    /// <summary>The struct at the start of the body (zero-extended when the kernel sent an older, shorter one).</summary>
    public T Read<T>(int offset = 0) where T : unmanaged
    {
        var body = Body;
        var size = Marshal.SizeOf<T>();
        if (body.Length >= offset + size) return MemoryMarshal.Read<T>(body[offset..]);
        Span<byte> padded = stackalloc byte[size];
        padded.Clear();
        if (body.Length > offset) body[offset..].CopyTo(padded);
        return MemoryMarshal.Read<T>(padded);
    }

    /// <summary>The NUL-terminated name at <paramref name="offset"/> in the body, and the offset just past its NUL.</summary>
    public (byte[] Name, int Next) NameAt(int offset)
    {
        var rest = Body[offset..];
        var end = rest.IndexOf((byte)0);
        if (end < 0) end = rest.Length;
        return (rest[..end].ToArray(), offset + end + 1);
    }

    public void Reply<T>(in T value) where T : unmanaged => _connection.Reply(Header.Unique, 0, MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    public void Reply(ReadOnlySpan<byte> payload) => _connection.Reply(Header.Unique, 0, payload);

    public void ReplyOk() => _connection.Reply(Header.Unique, 0, []);

    public void ReplyError(int errno) => _connection.Reply(Header.Unique, -errno, []);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
    }
}
