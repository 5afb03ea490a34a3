using System.Runtime.CompilerServices;

namespace NoKV.Tests;

/// <summary>
/// Holds against expiry end with the session however it ends: a session nobody disposed defers
/// expiry only until the runtime finalizes it, and a workspace re-created at the same path after
/// expiry is a new one (writable, without the old one's flag or expiry) that old handles cannot touch.
/// </summary>
public sealed class ExpiryAfterAbandonedSessionTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly TempStore _temp;

    public ExpiryAfterAbandonedSessionTests() => _temp = new TempStore(clock: _clock);

    public void Dispose() => _temp.Dispose();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(Workspace ws)
    {
        var stream = ws.OpenWrite("/lost");
        stream.Write(TestData.Bytes(3 * TempStore.SmallChunk, 3));
        stream.Flush(); // its uploads done, so nothing in flight keeps it reachable
    }

    [Fact]
    public async Task A_session_never_disposed_defers_expiry_only_until_it_is_finalized()
    {
        var store = _temp.Store;
        var ws = store.CreateWorkspace("/agent", new WorkspaceOptions { TimeToLive = TimeSpan.FromMinutes(1) });
        Abandon(ws);
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, store.CollectGarbage().ExpiryDeferred); // still held: not yet finalized
        for (var i = 0; i < 100 && store.WorkspaceExists("/agent"); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            store.CollectGarbage();
            await Task.Delay(50);
        }
        Assert.False(store.WorkspaceExists("/agent"));
        store.CollectGarbage(GcMode.Full);
        Assert.Empty(_temp.BlockFiles());
    }

    [Fact]
    public async Task A_workspace_re_created_after_expiry_is_new_writable_and_out_of_old_handles_reach()
    {
        var store = _temp.Store;
        var old = store.CreateWorkspace("/agent", new WorkspaceOptions { TimeToLive = TimeSpan.FromMinutes(1) });
        await old.WriteAllBytesAsync("/f", TestData.Bytes(100, 1));
        store.SetReadOnly("/agent", true);
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, store.CollectGarbage().ExpiredWorkspaces);

        var fresh = store.CreateWorkspace("/agent");
        var info = store.ListWorkspaces().Single();
        Assert.False(info.IsReadOnly);
        Assert.Null(info.ExpiresUtc);
        Assert.Empty(fresh.List("/"));
        await fresh.WriteAllBytesAsync("/g", TestData.Bytes(10, 2));
        Assert.Throws<WorkspaceNotFoundException>(() => old.OpenWrite("/x"));
        var empty = Directory.CreateTempSubdirectory("nokv-attack8-empty-");
        try { await Assert.ThrowsAsync<WorkspaceNotFoundException>(() => old.ImportAsync(empty.FullName, "/imp")); }
        finally { empty.Delete(); }
        Assert.Throws<WorkspaceNotFoundException>(() => old.CreateDirectory("/d"));
        Assert.Equal(["g"], fresh.List("/").Select(n => n.Name));
    }
}
