using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using NoKV.Protocol;

namespace NoKV.Client;

/// <summary>
/// A store that another process owns, reached over its socket (<c>{store}/nokv.sock</c>). The
/// methods mirror <see cref="WorkspaceStore"/>'s, asynchronous, with the same typed exceptions
/// (a <see cref="WorkspaceNotFoundException"/> at the owner is one here). Every method takes a
/// CancellationToken; cancelling it cancels the call at the owner too. Thread-safe: one client
/// serves many concurrent calls over one connection.
/// </summary>
/// <example><code>
/// await using var client = await NoKVClient.ConnectAsync("/var/lib/nokv");
/// await foreach (var delta in client.DiffAsync("/base", "/forks/agent-1")) Console.WriteLine(delta);
/// </code></example>
public sealed partial class NoKVClient : IAsyncDisposable, IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Calls _calls;

    private NoKVClient(GrpcChannel channel, Calls calls, string socketPath, string serverStoreDirectory)
    {
        _channel = channel;
        _calls = calls;
        SocketPath = socketPath;
        StoreDirectory = serverStoreDirectory;
    }

    /// <summary>The socket this client talks to.</summary>
    public string SocketPath { get; }

    /// <summary>The store directory as the owner names it.</summary>
    public string StoreDirectory { get; }

    /// <summary>Connects to the owner of the store in <paramref name="storeDirectory"/> and checks that it answers.</summary>
    /// <exception cref="ServerUnavailableException">Nothing answers at the socket within <see cref="NoKVClientOptions.ConnectTimeout"/>.</exception>
    public static async Task<NoKVClient> ConnectAsync(string storeDirectory, NoKVClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeDirectory);
        options ??= new NoKVClientOptions();
        options.Validate();
        var socketPath = Path.GetFullPath(options.SocketPath ?? Path.Combine(storeDirectory, "nokv.sock"));
        if (!File.Exists(socketPath)) throw new ServerUnavailableException(socketPath);

        var channel = GrpcChannel.ForAddress("http://nokv.local", new GrpcChannelOptions
        {
            HttpHandler = Handler(socketPath),
            DisposeHttpClient = true,
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
            MaxSendMessageSize = options.WriteChunkSize + 4096,
            ThrowOperationCanceledOnCancellation = true,
        });
        try
        {
            var stub = new NoKVStore.NoKVStoreClient(channel);
            var reply = await stub.PingAsync(new Empty(), new CallOptions(deadline: DateTime.UtcNow + options.ConnectTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return new NoKVClient(channel, new Calls(stub, options, socketPath), socketPath, reply.StoreDirectory);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unimplemented)
        {
            channel.Dispose();
            throw new ServerUnavailableException(socketPath, e);
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }

    /// <summary>HTTP/2 over the Unix socket: every connection the channel opens goes to the socket file.</summary>
    private static SocketsHttpHandler Handler(string socketPath)
    {
        var endpoint = new UnixDomainSocketEndPoint(socketPath);
        return new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            // A streamed read keeps several chunks in flight from the start (the default window is 64 KiB and grows only with RTT probes).
            InitialHttp2StreamWindowSize = 4 << 20,
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
    }

    /// <summary>Makes everything the owner has published durable (<see cref="WorkspaceStore.FlushAsync"/>).</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) =>
        _calls.UnaryAsync(o => _calls.Stub.FlushAsync(new Empty(), o), cancellationToken);

    /// <summary>Collects garbage at the owner (<see cref="WorkspaceStore.CollectGarbageAsync"/>).</summary>
    public async Task<GcReport> CollectGarbageAsync(GcMode mode = GcMode.Incremental, CancellationToken cancellationToken = default) =>
        Wire.FromWire(await _calls.UnaryAsync(o => _calls.Stub.CollectGarbageAsync(new GcRequest { Mode = (int)mode }, o), cancellationToken).ConfigureAwait(false));

    /// <summary>Checks the whole store at the owner (<see cref="WorkspaceStore.VerifyAsync"/>).</summary>
    public async Task<VerifyReport> VerifyAsync(VerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new VerifyOptions();
        var request = new VerifyRequest { CheckBlockContents = options.CheckBlockContents, FindOrphanBlocks = options.FindOrphanBlocks };
        return Wire.FromWire(await _calls.UnaryAsync(o => _calls.Stub.VerifyAsync(request, o), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Closes the connection; calls in flight are cancelled (an unfinished write publishes nothing). Safe to call twice.</summary>
    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the connection (see <see cref="DisposeAsync"/>).</summary>
    public void Dispose() => _channel.Dispose();
}
