using Grpc.Core;
using NoKV.Protocol;

namespace NoKV.Client;

/// <summary>
/// A file read from the owner as a stream of chunks: only the current chunk is held here, and
/// HTTP/2 flow control keeps the owner a few chunks ahead at most. Read-only, forward-only.
/// </summary>
internal sealed class RemoteReadStream : Stream
{
    private readonly Calls _calls;
    private readonly AsyncServerStreamingCall<DataChunk> _call;
    private ReadOnlyMemory<byte> _current;
    private bool _ended;
    private long _position;

    private RemoteReadStream(Calls calls, AsyncServerStreamingCall<DataChunk> call)
    {
        _calls = calls;
        _call = call;
    }

    /// <summary>Starts the read and waits for its first chunk, so a missing path or a directory fails at open.</summary>
    public static async Task<Stream> OpenAsync(Calls calls, NodeRequest request, CancellationToken cancellationToken)
    {
        // The call lives as long as the stream, not the open: its token is the one each read passes.
        var call = calls.Start(o => calls.Stub.Read(request, o), Calls.Long(CancellationToken.None), cancellationToken);
        var stream = new RemoteReadStream(calls, call);
        try
        {
            await stream.NextChunkAsync(cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static async Task<byte[]> ReadAllAsync(Calls calls, NodeRequest request, CancellationToken cancellationToken)
    {
        var stream = await OpenAsync(calls, request, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    private async Task NextChunkAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await _call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false)) _current = _call.ResponseStream.Current.Data.Memory;
            else _ended = true;
        }
        catch (RpcException e)
        {
            throw _calls.Translate(e, cancellationToken);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current.IsEmpty && !_ended) await NextChunkAsync(cancellationToken).ConfigureAwait(false);
        if (_current.IsEmpty || buffer.IsEmpty) return 0;
        var count = Math.Min(buffer.Length, _current.Length);
        _current[..count].CopyTo(buffer);
        _current = _current[count..];
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // A synchronous caller chose to block; the async path above never does.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException("a remote read stream has no length; stat the file");
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _call.Dispose(); // cancels the rest of the stream at the owner
        base.Dispose(disposing);
    }
}
