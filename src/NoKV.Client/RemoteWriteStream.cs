using Google.Protobuf;
using Grpc.Core;
using NoKV.Protocol;

namespace NoKV.Client;

/// <summary>
/// A file being written at the owner (<see cref="WorkspaceWriteStream"/>): bytes go out in chunks
/// as they are written (at most one chunk is buffered here), and the new version is published
/// when the stream is disposed normally. After <see cref="Abort"/>, a failed write or a lost
/// connection, disposing publishes nothing and the file keeps its previous version.
/// </summary>
public sealed class RemoteWriteStream : Stream
{
    private readonly Calls _calls;
    private readonly AsyncClientStreamingCall<WriteRequest, Node> _call;
    private readonly byte[] _buffer;
    private int _buffered;
    private long _length;
    private Exception? _failure;
    private bool _aborted;
    private bool _disposed;

    private RemoteWriteStream(Calls calls, AsyncClientStreamingCall<WriteRequest, Node> call, string path)
    {
        _calls = calls;
        _call = call;
        FilePath = path;
        _buffer = new byte[calls.WriteChunkSize];
    }

    internal static async Task<RemoteWriteStream> OpenAsync(Calls calls, WriteHeader header, CancellationToken cancellationToken)
    {
        // The call lives as long as the stream; cancelling it (Abort, Dispose after a failure) is what tells the owner not to publish.
        var call = calls.Stub.Write(Calls.Long(CancellationToken.None));
        var stream = new RemoteWriteStream(calls, call, header.Path);
        try
        {
            await stream.SendAsync(new WriteRequest { Header = header }, cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            stream.Abort();
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The file's path in its workspace.</summary>
    public string FilePath { get; }

    /// <summary>What the owner published, once the stream is disposed normally; null before, or when nothing was published.</summary>
    public NodeInfo? Published { get; private set; }

    /// <summary>Don't publish: later writes are ignored and disposing leaves the file as it was.</summary>
    public void Abort()
    {
        _aborted = true;
        _call.Dispose(); // resets the call: the owner's write stream ends abnormally and publishes nothing
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_aborted) return;
        if (_failure is not null) throw _failure;
        while (!buffer.IsEmpty)
        {
            var count = Math.Min(buffer.Length, _buffer.Length - _buffered);
            buffer[..count].CopyTo(_buffer.AsMemory(_buffered));
            _buffered += count;
            _length += count;
            buffer = buffer[count..];
            if (_buffered == _buffer.Length) await SendBufferAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Writes synchronously: a synchronous caller chose to block (the async path never does).</summary>
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Sends what is buffered (it is still not published before dispose).</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_aborted || _failure is not null || _disposed) return;
        await SendBufferAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    private async Task SendBufferAsync(CancellationToken cancellationToken)
    {
        if (_buffered == 0) return;
        var message = new WriteRequest { Data = ByteString.CopyFrom(_buffer, 0, _buffered) };
        _buffered = 0;
        await SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendAsync(WriteRequest message, CancellationToken cancellationToken)
    {
        try
        {
            await _call.RequestStream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or OperationCanceledException)
        {
            // The owner may have refused the write already (a missing workspace): its reason is in the reply.
            _failure = await ReasonAsync(e, cancellationToken).ConfigureAwait(false);
            _call.Dispose();
            throw _failure;
        }
    }

    private async Task<Exception> ReasonAsync(Exception e, CancellationToken cancellationToken)
    {
        if (e is OperationCanceledException && cancellationToken.IsCancellationRequested) return e;
        try
        {
            await _call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException reply)
        {
            return _calls.Translate(reply, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        return e is RpcException rpc ? _calls.Translate(rpc, cancellationToken) : e;
    }

    /// <summary>Publishes the file (unless aborted or failed) and waits for the owner's answer; after a failed write, throws that failure again (nothing was published).</summary>
    public override async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        try
        {
            if (!_aborted && _failure is null)
            {
                await SendBufferAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
                    Published = Wire.FromWire(await _call.ResponseAsync.ConfigureAwait(false));
                }
                catch (RpcException e)
                {
                    throw _calls.Translate(e, CancellationToken.None);
                }
            }
        }
        finally
        {
            _disposed = true;
            _call.Dispose();
            await base.DisposeAsync().ConfigureAwait(false);
        }
        // As WorkspaceWriteStream: the first failure is what dispose reports (unless the caller aborted).
        if (!_aborted && _failure is not null) throw _failure;
    }

    /// <summary>Disposes synchronously (see <see cref="DisposeAsync"/>).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed) DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    public override bool CanRead => false;
    /// <inheritdoc />
    public override bool CanSeek => false;
    /// <inheritdoc />
    public override bool CanWrite => !_disposed;
    /// <inheritdoc />
    public override long Length => _length;
    /// <inheritdoc />
    public override long Position { get => _length; set => throw new NotSupportedException("a remote write stream only appends"); }
    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
}
