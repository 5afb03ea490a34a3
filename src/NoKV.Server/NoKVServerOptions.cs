namespace NoKV.Server;

/// <summary>How a <see cref="NoKVServer"/> listens and how large its messages may be.</summary>
public sealed class NoKVServerOptions
{
    /// <summary>The socket's file name in the store directory.</summary>
    public const string SocketFileName = "nokv.sock";

    /// <summary>The default largest message either end accepts: 1 MiB (a 256 KiB data chunk fits four times over).</summary>
    public const int DefaultMaxMessageSize = 1 << 20;

    /// <summary>The default size of one data chunk of a streamed read: 256 KiB.</summary>
    public const int DefaultStreamChunkSize = 256 * 1024;

    /// <summary>
    /// The Unix domain socket to listen on; null (the default) means <c>{store directory}/nokv.sock</c>,
    /// where clients and the CLI look. Unix sockets allow paths of at most 107 bytes.
    /// </summary>
    public string? SocketPath { get; set; }

    /// <summary>
    /// The largest request message the server accepts, in bytes (default 1 MiB); a larger one is
    /// refused with <c>ResourceExhausted</c> and the server goes on serving. Streamed writes send
    /// many small messages, so this bounds memory per call, not file size.
    /// </summary>
    public int MaxReceiveMessageSize { get; set; } = DefaultMaxMessageSize;

    /// <summary>The largest reply message the server sends, in bytes (default 1 MiB).</summary>
    public int MaxSendMessageSize { get; set; } = DefaultMaxMessageSize;

    /// <summary>The size of each data message of a streamed read (default 256 KiB); a read never holds more than a few of them.</summary>
    public int StreamChunkSize { get; set; } = DefaultStreamChunkSize;

    /// <summary>Where the server's own logs go (Kestrel, gRPC); none by default.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }

    internal void Validate()
    {
        if (MaxReceiveMessageSize < 64 * 1024) throw new ArgumentOutOfRangeException(nameof(MaxReceiveMessageSize), MaxReceiveMessageSize, "must be at least 64 KiB");
        if (MaxSendMessageSize < 64 * 1024) throw new ArgumentOutOfRangeException(nameof(MaxSendMessageSize), MaxSendMessageSize, "must be at least 64 KiB");
        if (StreamChunkSize < 4096 || StreamChunkSize > MaxSendMessageSize - 1024)
            throw new ArgumentOutOfRangeException(nameof(StreamChunkSize), StreamChunkSize, "must be at least 4 KiB and fit in MaxSendMessageSize");
    }

    internal string SocketPathFor(string storeDirectory) => SocketPath ?? Path.Combine(storeDirectory, SocketFileName);
}
