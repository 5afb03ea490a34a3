using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NoKV.Server.Hosting;
using NoKV.Server.Service;

namespace NoKV.Server;

/// <summary>
/// Serves one open <see cref="WorkspaceStore"/> to other processes over gRPC on a Unix domain
/// socket (by default <c>{store}/nokv.sock</c>, mode 0600: only the owning user can connect).
/// There is no TCP listener. Dispose stops serving (calls in flight are cancelled: a write
/// stream that has not ended publishes nothing) and removes the socket; the store stays open.
/// </summary>
/// <example><code>
/// await using var store = WorkspaceStore.Open("/var/lib/nokv");
/// await using var server = await NoKVServer.StartAsync(store, new NoKVServerOptions(), ct);
/// </code></example>
public sealed class NoKVServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private NoKVServer(WebApplication app, string socketPath)
    {
        _app = app;
        SocketPath = socketPath;
    }

    /// <summary>The socket clients connect to.</summary>
    public string SocketPath { get; }

    /// <summary>Starts serving <paramref name="store"/>; returns once the socket accepts connections.</summary>
    /// <exception cref="StoreLockedException">Another process already serves at the socket path.</exception>
    public static async Task<NoKVServer> StartAsync(WorkspaceStore store, NoKVServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new NoKVServerOptions();
        options.Validate();
        var socketPath = Path.GetFullPath(options.SocketPathFor(store.Directory));
        SocketFile.RemoveStale(socketPath, store.Directory);

        var bindDirectory = SocketFile.CreatePrivateDirectory(socketPath);
        var boundPath = Path.Combine(bindDirectory, NoKVServerOptions.SocketFileName);
        WebApplication? app = null;
        try
        {
            app = Build(store, options, boundPath);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            SocketFile.Publish(boundPath, socketPath);
            SocketFile.TryDelete(bindDirectory); // empty now: the socket lives on at its public path
            return new NoKVServer(app, socketPath);
        }
        catch
        {
            if (app is not null) await app.DisposeAsync().ConfigureAwait(false);
            SocketFile.TryDelete(bindDirectory);
            throw;
        }
    }

    private static WebApplication Build(WorkspaceStore store, NoKVServerOptions options, string boundPath)
    {
        // The slim builder: Kestrel and routing, no TCP defaults (the only listener is below).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = store.Directory });
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is { } loggerFactory) builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Wide HTTP/2 windows: a streamed write keeps several 256 KiB chunks in flight instead of
            // stalling on Kestrel's defaults (768 KiB per stream, 1 MiB per connection).
            kestrel.Limits.Http2.InitialStreamWindowSize = 4 << 20;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 << 20;
            kestrel.ListenUnixSocket(boundPath, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ErrorInterceptor>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = options.MaxSendMessageSize;
            grpc.EnableDetailedErrors = false; // failures travel as typed details, never stack traces
            grpc.Interceptors.Add<ErrorInterceptor>();
        });
        var app = builder.Build();
        app.MapGrpcService<StoreService>();
        return app;
    }

    /// <summary>Stops serving and removes the socket file. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        try
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(grace.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            SocketFile.TryDelete(SocketPath);
        }
    }
}
