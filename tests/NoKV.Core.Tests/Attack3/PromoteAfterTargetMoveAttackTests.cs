namespace NoKV.Tests;

/// <summary>
/// Promote of a fork whose base moved a directory (deeper) meanwhile: the fork's changes below
/// the directory's old place must not make one directory reachable from two places, and every
/// path that results must stay within the limits.
/// </summary>
public sealed class PromoteAfterTargetMoveAttackTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData(PromoteStrategy.FailOnConflict)]
    [InlineData(PromoteStrategy.PreferFork)]
    [InlineData(PromoteStrategy.PreferTarget)]
    public async Task A_directory_the_target_moved_deeper_is_not_aliased_by_a_promote(PromoteStrategy strategy)
    {
        using var t = new TempStore();
        var store = t.Store;
        var src = store.CreateWorkspace("/src");
        src.CreateDirectory("/a/sub");
        await src.Write("/a/f", "f");
        var fork = store.Clone("/src", "/fork").Workspace;
        src.CreateDirectory("/x/y");
        src.Move("/a", "/x/y/a");
        await fork.Write("/a/sub/g", "g");

        var result = store.Promote("/fork", "/src", new PromoteOptions { Strategy = strategy });
        output.WriteLine($"{strategy}: promoted {result.Promoted}, conflicts [{string.Join(", ", result.Conflicts)}], tree [{string.Join(", ", (await src.Tree()).Keys)}]");
        if (result.Promoted && src.Exists("/a") && src.Exists("/x/y/a"))
        {
            // Two places now: they must be two directories, not one reachable twice.
            await src.Write("/x/y/a/sub/only-moved", "m");
            Assert.False(src.Exists("/a/sub/only-moved"), "after the promote /a and /x/y/a are the same directory: a write below one appears below the other");
            src.Delete("/a", recursive: true);
            Assert.True(src.Exists("/x/y/a/sub/only-moved"), "deleting /a deleted /x/y/a's contents");
        }
        Assert.Empty(store.Verify().Problems);
        t.Reopen();
        Assert.Empty(t.Store.Verify().Problems);
    }

    [Fact]
    public async Task A_fork_promoted_after_the_target_moved_a_directory_into_the_forks_new_tree_keeps_the_tree_acyclic()
    {
        using var t = new TempStore();
        var store = t.Store;
        var src = store.CreateWorkspace("/src");
        src.CreateDirectory("/a");
        src.CreateDirectory("/b");
        var fork = store.Clone("/src", "/fork").Workspace;
        // Target: /b moves into /a. Fork: /a moves into /b. Together they would be a cycle.
        src.Move("/b", "/a/b");
        fork.Move("/a", "/b/a");
        await fork.Write("/b/a/f", "f");
        foreach (var strategy in new[] { PromoteStrategy.PreferFork, PromoteStrategy.PreferTarget })
        {
            var snapshot = store.Snapshot("/src");
            var result = store.Promote("/fork", "/src", new PromoteOptions { Strategy = strategy });
            var tree = await src.Tree(); // a cycle would recurse forever or fail here
            output.WriteLine($"{strategy}: promoted {result.Promoted}, tree [{string.Join(", ", tree.Keys)}]");
            Assert.True(tree.Count < 100, string.Join(", ", tree.Keys));
            Assert.Empty(store.Verify().Problems);
            store.Rollback("/src", snapshot.Id);
        }
    }
}
