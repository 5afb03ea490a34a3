namespace NoKV.Tests;

/// <summary>
/// A handle carries identity, not a name: a <see cref="Workspace"/> handle whose workspace was
/// deleted (and another created at the same path) must refuse every operation with
/// <see cref="WorkspaceNotFoundException"/> and leave the new workspace exactly as it was.
/// </summary>
public sealed class HandleIdentityTests
{
    public static TheoryData<string> StaleCalls => [.. Calls.Keys];

    private static readonly Dictionary<string, Func<Workspace, SnapshotPin, Task>> Calls = new()
    {
        ["Snapshot"] = (ws, _) => Task.FromResult(ws.Snapshot()),
        ["Rollback"] = (ws, pin) => { ws.Rollback(pin); return Task.CompletedTask; },
        ["CreateDirectory"] = (ws, _) => { ws.CreateDirectory("/new"); return Task.CompletedTask; },
        ["WriteAllBytes"] = (ws, _) => ws.WriteAllBytesAsync("/precious", "overwritten"u8.ToArray()),
        ["OpenAppend"] = (ws, _) => ws.OpenAppendAsync("/precious"),
        ["Truncate"] = (ws, _) => ws.TruncateAsync("/precious", 0),
        ["Move"] = (ws, _) => { ws.Move("/precious", "/moved"); return Task.CompletedTask; },
        ["Delete"] = (ws, _) => { ws.Delete("/precious"); return Task.CompletedTask; },
        ["ReadAllBytes"] = (ws, _) => ws.ReadAllBytesAsync("/precious"),
        ["Stat"] = (ws, _) => Task.FromResult(ws.Stat("/")),
        ["List"] = (ws, _) => Task.FromResult(ws.List("/")),
        ["Exists"] = (ws, _) => Task.FromResult(ws.Exists("/")),
        ["Import"] = (ws, _) => ws.ImportAsync(Path.GetTempPath(), "/imported"),
    };

    [Theory]
    [MemberData(nameof(StaleCalls))]
    public async Task A_stale_workspace_handle_refuses_every_call_and_leaves_the_new_workspace_alone(string call)
    {
        using var temp = new TempStore();
        var store = temp.Store;
        var baseWs = store.CreateWorkspace("/base");
        await baseWs.Write("/f", "base");
        var stale = store.Clone("/base", "/fork");
        var stalePin = stale.Workspace.Snapshot();
        store.DeleteWorkspace("/fork");

        var fresh = store.Clone("/base", "/fork").Workspace;
        await fresh.Write("/precious", "the new fork's work");
        var before = await fresh.Tree();
        var versionsBefore = store.ListSnapshots("/fork").Count;

        await Assert.ThrowsAsync<WorkspaceNotFoundException>(() => Calls[call](stale.Workspace, stalePin));

        Assert.Equal(before, await fresh.Tree());
        Assert.Equal(versionsBefore, store.ListSnapshots("/fork").Count);
        Assert.True(store.Verify().IsHealthy);
    }

    [Fact]
    public async Task A_write_stream_opened_before_its_workspace_was_replaced_publishes_nothing()
    {
        using var temp = new TempStore();
        var store = temp.Store;
        await store.CreateWorkspace("/base").Write("/f", "base");
        var stale = store.Clone("/base", "/fork").Workspace;
        var stream = stale.OpenWrite("/f");
        await stream.WriteAsync(TestData.Bytes(3 * TempStore.SmallChunk, 1));
        store.DeleteWorkspace("/fork");
        var fresh = store.Clone("/base", "/fork").Workspace;
        var before = await fresh.Tree();

        await Assert.ThrowsAsync<WorkspaceNotFoundException>(async () => await stream.DisposeAsync());

        Assert.Equal(before, await fresh.Tree());
        store.CollectGarbage(GcMode.Full);
        Assert.True(store.Verify().IsHealthy);
    }
}
