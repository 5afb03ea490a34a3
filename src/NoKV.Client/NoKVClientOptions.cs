namespace NoKV.Client;

/// <summary>How a <see cref="NoKVClient"/> reaches a store's owner.</summary>
public sealed class NoKVClientOptions
{
    /// <summary>
    /// The socket to connect to; null (the default) means <c>{store directory}/nokv.sock</c>,
    /// where the owner listens.
    /// </summary>
    public string? SocketPath { get; set; }

    /// <summary>How long <see cref="NoKVClient.ConnectAsync"/> waits for the owner to answer (default 5 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A deadline for each call that is not a data stream (stat, clone, diff, promote, ...): the
    /// server stops working on a call once it passes. Null (the default): no deadline, only the
    /// caller's CancellationToken. A passed deadline surfaces as an <c>RpcException</c> with
    /// status <c>DeadlineExceeded</c>.
    /// </summary>
    public TimeSpan? CallTimeout { get; set; }

    /// <summary>The largest reply message the client accepts, in bytes (default 1 MiB; the server sends data in 256 KiB chunks).</summary>
    public int MaxReceiveMessageSize { get; set; } = 1 << 20;

    /// <summary>The size of each data message of a streamed write, in bytes (default 256 KiB); it must stay below the server's receive limit (1 MiB by default).</summary>
    public int WriteChunkSize { get; set; } = 256 * 1024;

    internal void Validate()
    {
        if (ConnectTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "must be positive");
        if (CallTimeout is { } timeout && timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CallTimeout), timeout, "must be positive");
        if (MaxReceiveMessageSize < 64 * 1024) throw new ArgumentOutOfRangeException(nameof(MaxReceiveMessageSize), MaxReceiveMessageSize, "must be at least 64 KiB");
        if (WriteChunkSize < 4096 || WriteChunkSize > 16 << 20) throw new ArgumentOutOfRangeException(nameof(WriteChunkSize), WriteChunkSize, "must be between 4 KiB and 16 MiB");
    }
}
