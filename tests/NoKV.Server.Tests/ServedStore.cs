using NoKV.Client;
using NoKV.Server;

namespace NoKV.Tests;

/// <summary>A real store in a short temp directory (socket paths are limited to 107 bytes), served on its real socket, with a connected client.</summary>
public sealed class ServedStore : IAsyncDisposable
{
    private ServedStore(string directory, WorkspaceStore store, NoKVServer server, NoKVClient client)
    {
        Directory = directory;
        Store = store;
        Server = server;
        Client = client;
    }

    public string Directory { get; }
    public WorkspaceStore Store { get; }
    public NoKVServer Server { get; }
    public NoKVClient Client { get; }

    public static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "nokv-srv-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    public static async Task<ServedStore> StartAsync(Action<WorkspaceStoreOptions>? configure = null, NoKVServerOptions? serverOptions = null)
    {
        var directory = NewDirectory();
        var options = new WorkspaceStoreOptions { Directory = directory };
        configure?.Invoke(options);
        var store = WorkspaceStore.Open(options);
        var server = await NoKVServer.StartAsync(store, serverOptions);
        var client = await NoKVClient.ConnectAsync(directory);
        return new ServedStore(directory, store, server, client);
    }

    public Task<NoKVClient> ConnectAsync(NoKVClientOptions? options = null) => NoKVClient.ConnectAsync(Directory, options);

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        await Store.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
