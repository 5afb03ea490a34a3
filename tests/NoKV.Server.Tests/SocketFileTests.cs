using System.Net.Sockets;
using NoKV.Client;
using NoKV.Server;

namespace NoKV.Tests;

/// <summary>The socket file: owner-only, a dead owner's leftover replaced, a live one respected, removed at stop.</summary>
public sealed class SocketFileTests
{
    [Fact]
    public async Task The_socket_is_in_the_store_directory_with_mode_0600_and_nothing_else_is_left_beside_it()
    {
        await using var s = await ServedStore.StartAsync();
        Assert.Equal(Path.Combine(s.Directory, "nokv.sock"), s.Server.SocketPath);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(s.Server.SocketPath));
        Assert.Empty(Directory.GetDirectories(s.Directory, ".nokv-sock-*"));
    }

    [Fact]
    public async Task A_stale_socket_nobody_answers_is_replaced()
    {
        var directory = ServedStore.NewDirectory();
        var socketPath = Path.Combine(directory, "nokv.sock");
        // A killed owner leaves exactly this: the socket file, and nobody listening (.NET would unlink it at dispose).
        using (var bind = System.Diagnostics.Process.Start("python3", ["-c", "import socket,os,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); os._exit(0)", socketPath]))
        {
            await bind.WaitForExitAsync();
            Assert.Equal(0, bind.ExitCode);
        }
        Assert.True(File.Exists(socketPath));

        await using var store = WorkspaceStore.Open(directory);
        await using (var server = await NoKVServer.StartAsync(store))
        {
            await using var client = await NoKVClient.ConnectAsync(directory);
            await client.CreateWorkspaceAsync("/served");
            Assert.True(store.WorkspaceExists("/served"));
        }
        Assert.False(File.Exists(socketPath)); // removed at stop
    }

    [Fact]
    public async Task A_live_socket_means_another_owner_and_the_server_refuses_to_start()
    {
        var directory = ServedStore.NewDirectory();
        var socketPath = Path.Combine(directory, "nokv.sock");
        using var live = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        live.Bind(new UnixDomainSocketEndPoint(socketPath));
        live.Listen();

        await using var store = WorkspaceStore.Open(directory);
        var e = await Assert.ThrowsAsync<StoreLockedException>(() => NoKVServer.StartAsync(store));
        Assert.Contains(socketPath, e.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(socketPath)); // the other owner's socket is untouched
        Assert.Empty(Directory.GetDirectories(directory, ".nokv-sock-*"));
    }

    [Fact]
    public async Task A_server_stopped_and_started_again_serves_the_same_store()
    {
        var directory = ServedStore.NewDirectory();
        await using var store = WorkspaceStore.Open(directory);
        await (await NoKVServer.StartAsync(store)).DisposeAsync();
        await using var again = await NoKVServer.StartAsync(store);
        await using var client = await NoKVClient.ConnectAsync(directory);
        Assert.Empty(await client.ListWorkspacesAsync());
    }
}
