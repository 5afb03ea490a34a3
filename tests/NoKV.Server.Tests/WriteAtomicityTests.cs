using Grpc.Core;
using NoKV.Client;

namespace NoKV.Tests;

/// <summary>A streamed write publishes when, and only when, the client's stream ends normally.</summary>
public sealed class WriteAtomicityTests
{
    private static readonly byte[] Old = "old version"u8.ToArray();

    [Fact]
    public async Task A_client_that_disconnects_mid_write_publishes_nothing()
    {
        await using var s = await ServedStore.StartAsync();
        var local = s.Store.CreateWorkspace("/w");
        await local.WriteAllBytesAsync("/f", Old);
        var before = local.Stat("/f");

        var client = await s.ConnectAsync();
        var ws = await client.OpenWorkspaceAsync("/w");
        var output = await ws.OpenWriteAsync("/f");
        await output.WriteAsync(new byte[3 * 1024 * 1024]); // several chunks are at the owner already
        await output.FlushAsync();
        await client.DisposeAsync(); // the connection goes away mid-write

        await AssertStaysAsync(local, before);
        await Assert.ThrowsAnyAsync<Exception>(async () => await output.DisposeAsync());
    }

    [Fact]
    public async Task An_aborted_write_publishes_nothing_and_a_completed_one_publishes_everything()
    {
        await using var s = await ServedStore.StartAsync();
        var local = s.Store.CreateWorkspace("/w");
        await local.WriteAllBytesAsync("/f", Old);
        var before = local.Stat("/f");
        var ws = await s.Client.OpenWorkspaceAsync("/w");

        var aborted = await ws.OpenWriteAsync("/f");
        await aborted.WriteAsync(new byte[1024 * 1024]);
        await aborted.FlushAsync();
        aborted.Abort();
        await aborted.DisposeAsync();
        Assert.Null(aborted.Published);
        await AssertStaysAsync(local, before);

        var data = new byte[2 * 1024 * 1024 + 3];
        new Random(3).NextBytes(data);
        var complete = await ws.OpenWriteAsync("/f");
        await using (complete) await complete.WriteAsync(data);
        Assert.Equal(data, await local.ReadAllBytesAsync("/f"));
        Assert.NotEqual(before.Generation, local.Stat("/f").Generation);
    }

    [Fact]
    public async Task A_write_cancelled_by_its_token_publishes_nothing()
    {
        await using var s = await ServedStore.StartAsync();
        var local = s.Store.CreateWorkspace("/w");
        await local.WriteAllBytesAsync("/f", Old);
        var before = local.Stat("/f");
        var ws = await s.Client.OpenWorkspaceAsync("/w");

        var output = await ws.OpenWriteAsync("/f");
        await output.WriteAsync(new byte[512 * 1024]);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await output.WriteAsync(new byte[512 * 1024], cancel.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await output.DisposeAsync());
        await AssertStaysAsync(local, before);
    }

    [Fact]
    public async Task A_write_to_a_missing_workspace_fails_with_the_typed_exception()
    {
        await using var s = await ServedStore.StartAsync();
        s.Store.CreateWorkspace("/w");
        var ws = await s.Client.OpenWorkspaceAsync("/w");
        await s.Client.DeleteWorkspaceAsync("/w");
        await Assert.ThrowsAsync<WorkspaceNotFoundException>(async () =>
        {
            var output = await ws.OpenWriteAsync("/f");
            await using (output) await output.WriteAsync(new byte[10]);
        });
    }

    /// <summary>The file keeps its old version while the owner finishes with the broken call (it never publishes late).</summary>
    private static async Task AssertStaysAsync(Workspace local, NodeInfo before)
    {
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(before, local.Stat("/f"));
            Assert.Equal(Old, await local.ReadAllBytesAsync("/f"));
            await Task.Delay(50);
        }
    }
}
