using NoKV.Engine;

namespace NoKV.Tests;

/// <summary>
/// Path limits reached through inode operations: a write session opened by (directory inode,
/// name) publishes into that directory wherever it is by then, and a rename by inode moves a
/// whole subtree; no node may land beyond 256 segments or 4096 bytes either way.
/// </summary>
public sealed class InodePathLimitAttackTests
{
    private static readonly string Long = new('n', 255);

    [Fact]
    public async Task A_write_session_by_directory_inode_does_not_publish_beyond_the_byte_limit_after_its_directory_moved()
    {
        using var t = new TempStore();
        var store = t.Store;
        var ws = store.CreateWorkspace("/w");
        ws.CreateDirectory("/d");
        var d = ws.Stat("/d").Inode;
        // 15 segments of 255 bytes: 3840 bytes; "/d" makes 3842; "/d/<255 n>" would make 4098.
        var deep = string.Concat(Enumerable.Repeat("/" + Long, 15));
        ws.CreateDirectory(deep);

        var session = store.Content.OpenWrite(ws.Ref, d, Long);
        ws.Move("/d", deep + "/d");
        await session.WriteAsync("x"u8.ToArray());
        var e = await Record.ExceptionAsync(async () => await session.DisposeAsync());

        var entries = store.Queries.ReadDirectory(ws.ViewOf, d, null, 10).Entries;
        Assert.True(e is PathLimitExceededException && entries.Count == 0,
            $"publish gave {e?.GetType().Name ?? "success"}; the moved directory (a path of {deep.Length + 2} bytes) now holds {entries.Count} entry(ies), a path of {deep.Length + 2 + 1 + Long.Length} bytes (limit 4096)");
    }

    [Fact]
    public async Task A_write_session_by_directory_inode_does_not_publish_beyond_the_depth_limit_after_its_directory_moved()
    {
        using var t = new TempStore();
        var store = t.Store;
        var ws = store.CreateWorkspace("/w");
        ws.CreateDirectory("/d");
        var d = ws.Stat("/d").Inode;
        var deep = string.Concat(Enumerable.Repeat("/s", 255)); // /s... (255) /d = 256 segments, the deepest allowed
        ws.CreateDirectory(deep);

        var session = store.Content.OpenWrite(ws.Ref, d, "f");
        ws.Move("/d", deep + "/d");
        await session.WriteAsync("x"u8.ToArray());
        var e = await Record.ExceptionAsync(async () => await session.DisposeAsync());

        var entries = store.Queries.ReadDirectory(ws.ViewOf, d, null, 10).Entries;
        Assert.True(e is PathLimitExceededException && entries.Count == 0,
            $"publish gave {e?.GetType().Name ?? "success"}; the directory at depth 256 now holds {entries.Count} entry(ies) at depth 257 (limit 256)");
    }

    [Fact]
    public void Rename_by_inode_of_a_deep_subtree_checks_every_path_below_it()
    {
        using var t = new TempStore();
        var store = t.Store;
        var ws = store.CreateWorkspace("/w");
        ws.CreateDirectory("/a" + string.Concat(Enumerable.Repeat("/s", 250)));
        ws.CreateDirectory("/x/y/z/q/r/t");
        var root = ws.Stat("/").Inode;
        var t6 = ws.Stat("/x/y/z/q/r/t").Inode;
        var before = store.Verify();
        var e = Record.Exception(() => store.Mutations.Rename(ws.Ref, root, "a", t6, "a", replace: false));
        Assert.IsType<PathLimitExceededException>(e);
        Assert.True(ws.Exists("/a"));
        Assert.Empty(store.Verify().Problems);
    }

    [Fact]
    public void Rename_by_inode_into_its_own_descendant_or_onto_an_ancestor_is_refused_and_changes_nothing()
    {
        using var t = new TempStore();
        var store = t.Store;
        var ws = store.CreateWorkspace("/w");
        ws.CreateDirectory("/a/b/c");
        var root = ws.Stat("/").Inode;
        var a = ws.Stat("/a").Inode;
        var b = ws.Stat("/a/b").Inode;
        var c = ws.Stat("/a/b/c").Inode;
        Assert.IsType<InvalidMoveException>(Record.Exception(() => store.Mutations.Rename(ws.Ref, root, "a", c, "a", replace: false)));
        Assert.IsType<InvalidMoveException>(Record.Exception(() => store.Mutations.Rename(ws.Ref, root, "a", a, "x", replace: true)));
        // c onto its ancestor a (non-empty) with replace
        Assert.IsType<DirectoryNotEmptyException>(Record.Exception(() => store.Mutations.Rename(ws.Ref, b, "c", root, "a", replace: true)));
        // onto itself
        store.Mutations.Rename(ws.Ref, b, "c", b, "c", replace: true);
        Assert.True(ws.Exists("/a/b/c"));
        // root by a made-up name / inode 0 / negative
        Refused((() => store.Mutations.Rename(ws.Ref, 0, "a", root, "z", replace: false)));
        Refused((() => store.Mutations.Rename(ws.Ref, -1, "a", root, "z", replace: false)));
        Refused((() => store.Mutations.Unlink(ws.Ref, root, "a/b")));
        Refused((() => store.Mutations.MakeDirectory(ws.Ref, root, "a\0b")));
        Refused((() => store.Mutations.MakeDirectory(ws.Ref, root, "\ud800")));
        Refused((() => store.Mutations.MakeDirectory(ws.Ref, root, "..")));
        Refused((() => store.Mutations.MakeDirectory(ws.Ref, root, new string('n', 256))));
        Assert.Equal(["/a", "/a/b", "/a/b/c"], Tree(ws));
        Assert.Empty(store.Verify().Problems);
    }

    private static void Refused(Action act)
    {
        var e = Record.Exception(act);
        Assert.True(e is NoKVException or ArgumentException, $"expected a NoKV or argument exception, got {e?.GetType().Name ?? "success"}");
    }

    private static string[] Tree(Workspace ws)
    {
        var result = new List<string>();
        void Walk(string p) { foreach (var n in ws.List(p)) { result.Add(n.Path); if (n.Kind == NodeKind.Directory) Walk(n.Path); } }
        Walk("/");
        return [.. result];
    }
}
