using System.Diagnostics;
using NoKV.Client;
using NoKV.Server;

namespace NoKV.Tests;

/// <summary>
/// The owner is a real process (nokv serve) killed with SIGKILL: the store opens again with every
/// acknowledged change, the socket it left is stale and replaced, and the next owner serves.
/// </summary>
public sealed class OwnerCrashTests
{
    [Fact]
    public async Task Killing_the_owner_leaves_the_store_openable_and_the_next_owner_serves()
    {
        var directory = ServedStore.NewDirectory();
        (await WorkspaceStore.OpenAsync(new WorkspaceStoreOptions { Directory = directory })).Dispose();
        using (var owner = StartServe(directory))
        {
            await using (var client = await NoKVClient.ConnectAsync(directory))
            {
                var ws = await client.CreateWorkspaceAsync("/base");
                await ws.WriteAllBytesAsync("/acknowledged", "durable"u8.ToArray());
                await client.SnapshotAsync("/base");
                // A write in flight when the owner dies: never acknowledged, so it may not be there.
                var pending = await ws.OpenWriteAsync("/in-flight");
                await pending.WriteAsync(new byte[600_000]);
                await pending.FlushAsync();
                owner.Kill(); // SIGKILL: no cleanup, the socket file stays behind
                await owner.WaitForExitAsync();
                await Assert.ThrowsAnyAsync<Exception>(async () => await pending.DisposeAsync());
            }
        }
        var socket = Path.Combine(directory, "nokv.sock");
        Assert.True(File.Exists(socket), "a killed owner leaves its socket file");
        await Assert.ThrowsAsync<ServerUnavailableException>(() => NoKVClient.ConnectAsync(directory));

        await using var store = WorkspaceStore.Open(directory);
        Assert.Equal("durable"u8.ToArray(), await store.OpenWorkspace("/base").ReadAllBytesAsync("/acknowledged"));
        Assert.False(store.OpenWorkspace("/base").Exists("/in-flight"));
        Assert.True((await store.VerifyAsync(new VerifyOptions { FindOrphanBlocks = false })).IsHealthy);
        await using var next = await NoKVServer.StartAsync(store);
        await using var again = await NoKVClient.ConnectAsync(directory);
        Assert.Equal("durable"u8.ToArray(), await (await again.OpenWorkspaceAsync("/base")).ReadAllBytesAsync("/acknowledged"));
        Directory.Delete(directory, recursive: true);
    }

    private static Process StartServe(string directory)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { ToolPath(), "--store", directory, "serve" }) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var line = process.StandardOutput.ReadLine();
        Assert.True(line?.StartsWith("serving ", StringComparison.Ordinal) == true, $"nokv serve printed '{line}': {(line is null ? process.StandardError.ReadToEnd() : "")}");
        return process;
    }

    /// <summary>The built tool: tests/NoKV.Server.Tests/bin/{Configuration}/net10.0/ → src/NoKV.Cli/bin/{Configuration}/net10.0/nokv.dll.</summary>
    private static string ToolPath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var dir = here;
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NoKV.sln"))) dir = dir.Parent;
        var tool = Path.Combine(dir!.FullName, "src", "NoKV.Cli", "bin", here.Parent!.Name, here.Name, "nokv.dll");
        return File.Exists(tool) ? tool : throw new FileNotFoundException("Build src/NoKV.Cli first.", tool);
    }
}
