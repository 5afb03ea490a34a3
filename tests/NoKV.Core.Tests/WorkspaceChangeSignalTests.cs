using NoKV.Engine;

namespace NoKV.Tests;

/// <summary>
/// The store's internal change notice (what a mount uses to drop the kernel's caches): every
/// head write names the inodes and entries it wrote, a rollback or promote names the whole tree,
/// nothing is recorded while nobody listens, and closing the store runs the listeners first.
/// </summary>
public sealed class WorkspaceChangeSignalTests
{
    [Fact]
    public async Task A_write_through_the_workspace_api_names_the_file_inode_and_its_entry_after_it_is_visible()
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        ws.CreateDirectory("/d");
        var changes = new List<WorkspaceChange>();
        var visibleWhenRaised = false;
        using var subscription = t.Store.Changes.Subscribe(c =>
        {
            changes.Add(c);
            visibleWhenRaised = ws.Exists("/d/f");
        }, () => Task.CompletedTask);

        await ws.WriteAllBytesAsync("/d/f", "x"u8.ToArray());

        var change = Assert.Single(changes);
        Assert.False(change.Everything);
        Assert.True(visibleWhenRaised);
        Assert.Contains(ws.Stat("/d/f").Inode, change.Inodes!);
        Assert.Contains(change.Entries!, e => e.Parent == ws.Stat("/d").Inode && e.Name.AsSpan().SequenceEqual("f"u8));
        Assert.True(change.Touches("/w"));
        Assert.False(change.Touches("/other"));
        Assert.False(change.Touches("/w/inner-workspace"));
    }

    [Fact]
    public async Task Rollback_and_promote_name_the_whole_tree_of_their_target()
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/f", "1"u8.ToArray());
        var pin = ws.Snapshot();
        t.Store.Clone("/w", "/fork");
        await t.Store.OpenWorkspace("/fork").WriteAllBytesAsync("/g", "2"u8.ToArray());
        var changes = new List<WorkspaceChange>();
        using var subscription = t.Store.Changes.Subscribe(changes.Add, () => Task.CompletedTask);

        ws.Rollback(pin);
        Assert.True(t.Store.Promote("/fork", "/w").Promoted);

        Assert.Equal(2, changes.Count(c => c.Everything && c.Touches("/w")));
        Assert.DoesNotContain(changes, c => c.Everything && c.Touches("/fork"));
    }

    [Fact]
    public async Task Nothing_is_recorded_while_nobody_listens_and_a_disposed_subscription_hears_nothing()
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        Assert.Null(t.Store.Changes.Recorder());
        var heard = 0;
        var subscription = t.Store.Changes.Subscribe(_ => heard++, () => Task.CompletedTask);
        Assert.NotNull(t.Store.Changes.Recorder());
        await ws.WriteAllBytesAsync("/f", "x"u8.ToArray());
        subscription.Dispose();
        await ws.WriteAllBytesAsync("/g", "y"u8.ToArray());
        Assert.Equal(1, heard);
        Assert.False(t.Store.Changes.HasSubscribers);
    }

    [Fact]
    public async Task Disposing_the_store_runs_the_closing_listeners_while_the_store_still_works()
    {
        var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        byte[]? readAtClose = null;
        t.Store.Changes.Subscribe(_ => { }, async () => readAtClose = await ws.ReadAllBytesAsync("/f"));
        await ws.WriteAllBytesAsync("/f", "still open"u8.ToArray());
        t.Dispose();
        Assert.Equal("still open"u8.ToArray(), readAtClose);
    }
}
