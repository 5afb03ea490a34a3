using NoKV.Engine;

namespace NoKV.Tests;

/// <summary>
/// A clone of a directory shares the source's layers, so every inode of the source workspace is
/// still stored on the clone's layer chain. A client of the clone that guesses an inode number
/// from outside the cloned directory must not reach it: by-inode reads, readdir, lookup and
/// setattr must treat it as not visible, as the by-path operations do.
/// </summary>
public sealed class CloneInodeIsolationAttackTests
{
    private static async Task<(TempStore Temp, Workspace Source, Workspace Clone, long SecretIno, long SourceRootIno)> Setup()
    {
        var t = new TempStore();
        var store = t.Store;
        var source = store.CreateWorkspace("/a");
        source.CreateDirectory("/pub");
        await source.Write("/pub/x", "public");
        await source.Write("/secret", "top secret");
        var secret = source.Stat("/secret").Inode;
        var root = source.Stat("/").Inode;
        var clone = store.Clone("/a/pub", "/b").Workspace;
        return (t, source, clone, secret, root);
    }

    [Fact]
    public async Task GetAttributes_by_inode_does_not_see_a_node_outside_the_cloned_directory()
    {
        var (t, _, clone, secret, _) = await Setup();
        using var _t = t;
        var e = Record.Exception(() => t.Store.Queries.GetAttributes(clone.ViewOf, secret));
        Assert.True(e is PathNotFoundException, $"getattr of the source's /secret (inode {secret}) through the clone of /a/pub gave {e?.GetType().Name ?? "its attributes"}");
    }

    [Fact]
    public async Task OpenRead_by_inode_does_not_read_a_file_outside_the_cloned_directory()
    {
        var (t, _, clone, secret, _) = await Setup();
        using var _t = t;
        string? leaked = null;
        var e = Record.Exception(() =>
        {
            using var s = t.Store.Content.OpenRead(clone.ViewOf, secret, snapshotId: 0);
            leaked = new StreamReader(s).ReadToEnd();
        });
        Assert.True(e is PathNotFoundException, $"read of inode {secret} through the clone of /a/pub gave {e?.GetType().Name ?? $"its bytes: '{leaked}'"}");
    }

    [Fact]
    public async Task ReadDirectory_and_Lookup_do_not_list_the_source_root_through_the_clone()
    {
        var (t, _, clone, _, sourceRoot) = await Setup();
        using var _t = t;
        // The clone's own root reports its parent: the source's root, outside the clone.
        var cloneRoot = t.Store.Queries.GetAttributes(clone.ViewOf, clone.Stat("/").Inode);
        var listed = Record.Exception(() => t.Store.Queries.ReadDirectory(clone.ViewOf, sourceRoot, null, 100));
        var looked = Record.Exception(() => t.Store.Queries.Lookup(clone.ViewOf, sourceRoot, "secret"u8));
        Assert.True(listed is PathNotFoundException && looked is PathNotFoundException,
            $"the clone's root reports parent {cloneRoot.Parent}; readdir of the source root (inode {sourceRoot}) through the clone gave {listed?.GetType().Name ?? "a listing"}, lookup 'secret' in it gave {looked?.GetType().Name ?? "its attributes"}");
    }

    [Fact]
    public async Task SetModified_does_not_write_a_record_for_a_node_outside_the_cloned_directory()
    {
        var (t, _, clone, secret, _) = await Setup();
        using var _t = t;
        var e = Record.Exception(() => t.Store.Mutations.SetAttributes(clone.Ref, secret, new NoKV.Engine.AttributeChange(ModifiedUtcTicks: new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks)));
        Assert.True(e is PathNotFoundException, $"setattr of inode {secret} (outside the clone) gave {e?.GetType().Name ?? "success: a record was written into the clone's head"}");
        Assert.Empty(t.Store.Verify().Problems);
    }
}
