using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace NoKV.Tests;

/// <summary>
/// Read-only workspaces (issue 18): while the flag is set, every kind of write into the workspace
/// fails with <see cref="ReadOnlyWorkspaceException"/> and leaves its tree exactly as it was;
/// with the flag cleared the same writes work again. Checked over generated sequences of writes
/// and flag changes (NOKV_PROPERTY_COUNT sets how many, default 60), plus the fixed rules:
/// snapshots and clones of a read-only workspace work and clones are writable, the flag survives
/// a reopen, a write session open when the flag is set publishes nothing.
/// </summary>
public sealed class ReadOnlyWorkspaceTests(ITestOutputHelper output)
{
    private static readonly string[] Paths = ["/a", "/d", "/d/b", "/d/e", "/l", "/imp"];

    /// <summary>One step: set the flag, then try one write.</summary>
    public sealed record WriteStep(bool ReadOnly, int Kind, int Path, int To, int Seed)
    {
        public override string ToString() => $"{(ReadOnly ? "ro" : "rw")} {Names[Kind]} {Paths[Path]} {Paths[To]} {Seed}";
    }

    private static readonly string[] Names =
        ["write", "append", "truncate", "mkdir", "delete", "move", "symlink", "chmod", "touch", "chown", "rollback", "promote", "import", "stream-then-flag", "write-at"];

    private static readonly Gen<WriteStep> StepGen =
        from readOnly in Gen.Frequency((1, Gen.Constant(false)), (1, Gen.Constant(true)))
        from kind in Gen.Choose(0, Names.Length - 1)
        from path in Gen.Choose(0, Paths.Length - 1)
        from to in Gen.Choose(0, Paths.Length - 1)
        from seed in Gen.Choose(0, 9)
        select new WriteStep(readOnly, kind, path, to, seed);

    [Fact]
    public void A_read_only_workspace_refuses_every_write_and_keeps_its_tree()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("NOKV_PROPERTY_COUNT"), out var c) ? Math.Max(c / 3, 20) : 60;
        int refused = 0, applied = 0;
        Prop.ForAll(Arb.From(StepGen.ArrayOf()), steps =>
        {
            var (r, a) = Run(steps);
            refused += r;
            applied += a;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true));
        output.WriteLine($"{refused} writes refused while read-only, {applied} applied while writable");
        Assert.True(refused > 0 && applied > 0);
    }

    private static (int Refused, int Applied) Run(WriteStep[] steps)
    {
        using var temp = new TempStore(inlineThreshold: TempStore.ProductInline);
        var store = temp.Store;
        var ws = store.CreateWorkspace("/ws");
        ws.CreateDirectory("/d");
        ws.WriteAllBytesAsync("/a", Bytes(1, 3000)).GetAwaiter().GetResult();
        ws.WriteAllBytesAsync("/d/b", Bytes(2, 9000)).GetAwaiter().GetResult();
        var start = ws.Snapshot();
        var fork = store.Clone("/ws", "/fork");
        fork.Workspace.WriteAllBytesAsync("/fork-file", Bytes(3, 100)).GetAwaiter().GetResult();
        var source = Path.Combine(temp.Directory, "import-source");
        Directory.CreateDirectory(source);
        File.WriteAllBytes(Path.Combine(source, "x"), Bytes(4, 5000));

        int refused = 0, applied = 0;
        foreach (var step in steps)
        {
            store.SetReadOnly("/ws", step.ReadOnly);
            Assert.Equal(step.ReadOnly, ws.IsReadOnly);
            var before = Fingerprint(ws);
            var error = Try(() => Apply(store, ws, step, start, source));
            // A session that was open when the flag was set is refused whatever the flag is after.
            if (step.ReadOnly || step.Kind == 13)
            {
                // Arguments wrong in themselves (a move into its own subtree) are refused as such first.
                Assert.True(error is ReadOnlyWorkspaceException or InvalidMoveException, $"{step}: expected ReadOnlyWorkspaceException, got {error?.GetType().Name ?? "success"}");
                Assert.Equal(before, Fingerprint(ws));
                refused++;
            }
            else
            {
                // Writable: the write may fail for its own reasons (a missing path...), never for the flag.
                Assert.False(error is ReadOnlyWorkspaceException, $"{step}: refused while writable");
                if (error is not null and not NoKVException and not ArgumentException) throw new Xunit.Sdk.XunitException($"{step}: {error}");
                if (error is null) applied++;
            }
        }
        // A refused write session may have uploaded blocks: GC reclaims them, and the store is whole.
        store.SetReadOnly("/ws", false);
        store.CollectGarbage(GcMode.Full);
        var report = store.Verify();
        Assert.True(report.IsHealthy, string.Join("; ", report.Problems.Select(p => p.Description)));
        return (refused, applied);
    }

    private static void Apply(WorkspaceStore store, Workspace ws, WriteStep step, SnapshotPin start, string importSource)
    {
        var path = Paths[step.Path];
        var to = Paths[step.To];
        var data = Bytes(step.Seed, 1000 + step.Seed * 2500);
        switch (step.Kind)
        {
            case 0: ws.WriteAllBytesAsync(path, data).GetAwaiter().GetResult(); break;
            case 1:
                using (var append = ws.OpenAppendAsync(path).GetAwaiter().GetResult()) append.Write(data);
                break;
            case 2: ws.TruncateAsync(path, step.Seed * 700).GetAwaiter().GetResult(); break;
            case 3: ws.CreateDirectory(path); break;
            case 4: ws.Delete(path, recursive: true); break;
            case 5: ws.Move(path, to); break;
            case 6: ws.CreateSymbolicLink(path, "target-" + step.Seed); break;
            case 7: ws.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | (step.Seed % 2 == 0 ? UnixFileMode.UserExecute : 0)); break;
            case 8: ws.SetLastWriteTime(path, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + step.Seed)); break;
            case 9: ws.SetOwner(path, 1000 + step.Seed, 1000); break;
            case 10: store.Rollback("/ws", start.Id); break;
            case 11: store.Promote("/fork", "/ws", new PromoteOptions { Strategy = PromoteStrategy.PreferFork }); break;
            case 12: ws.ImportAsync(importSource, "/imp").GetAwaiter().GetResult(); break;
            case 13:
                // A session opened while writable, the flag set before it publishes: nothing lands.
                var wasReadOnly = ws.IsReadOnly;
                store.SetReadOnly("/ws", false);
                var stream = ws.OpenWrite("/s" + step.Seed); // in the root, which always exists
                stream.Write(data);
                store.SetReadOnly("/ws", true);
                try { stream.Dispose(); }
                finally { store.SetReadOnly("/ws", wasReadOnly); }
                break;
            case 14:
                // By inode, as the mount writes (a missing path writes to the root: a directory, refused either way).
                var ino = ws.Exists(path) ? ws.Stat(path).Inode : ws.RootInode;
                store.Content.WriteAt(new Engine.WorkspaceRef("/ws", 0), ino, step.Seed * 3000, data, CancellationToken.None).GetAwaiter().GetResult();
                break;
        }
    }

    [Fact]
    public async Task A_session_opened_while_writable_publishes_nothing_once_the_flag_is_set()
    {
        using var temp = new TempStore();
        var ws = temp.Store.CreateWorkspace("/ws");
        await ws.WriteAllBytesAsync("/f", Bytes(1, 10_000));
        var stream = ws.OpenWrite("/f");
        stream.Write(Bytes(2, 50_000));
        temp.Store.SetReadOnly("/ws", true);
        Assert.Throws<ReadOnlyWorkspaceException>(stream.Dispose);
        Assert.Equal(Bytes(1, 10_000), await ws.ReadAllBytesAsync("/f"));
    }

    [Fact]
    public async Task Snapshots_and_clones_of_a_read_only_workspace_work_and_clones_are_writable()
    {
        using var temp = new TempStore();
        var store = temp.Store;
        var ws = store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/f", Bytes(1, 5000));
        store.SetReadOnly("/base", true);

        var pin = store.Snapshot("/base");
        var clone = store.Clone("/base", "/forks/a");
        var fromPin = store.Clone(pin, "/forks/b");
        Assert.False(clone.Workspace.IsReadOnly);
        await clone.Workspace.WriteAllBytesAsync("/f", Bytes(2, 100));
        await fromPin.Workspace.WriteAllBytesAsync("/g", Bytes(3, 100));
        Assert.Equal(Bytes(1, 5000), await ws.ReadAllBytesAsync("/f"));
        Assert.Equal([new Delta(DeltaKind.Modified, "/f")], store.Diff("/base", "/forks/a").Select(d => new Delta(d.Kind, d.Path)));
        // The clone promotes nowhere into the base while it is read-only, and does once it is not.
        Assert.Throws<ReadOnlyWorkspaceException>(() => store.Promote("/forks/a", "/base"));
        Assert.Equal(Bytes(1, 5000), await ws.ReadAllBytesAsync("/f"));
        store.SetReadOnly("/base", false);
        Assert.True(store.Promote("/forks/a", "/base").Promoted);
        Assert.Equal(Bytes(2, 100), await ws.ReadAllBytesAsync("/f"));
    }

    private sealed record Delta(DeltaKind Kind, string Path);

    [Fact]
    public async Task The_flag_survives_a_reopen_is_listed_and_guards_deletion()
    {
        using var temp = new TempStore();
        var ws = temp.Store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/f", Bytes(1, 100));
        temp.Store.CreateWorkspace("/other");
        temp.Store.SetReadOnly("/base", true);
        temp.Store.SetReadOnly("/base", true); // idempotent

        var store = temp.Reopen();
        Assert.True(store.IsReadOnly("/base"));
        Assert.False(store.IsReadOnly("/other"));
        Assert.Equal([true, false], store.ListWorkspaces().Select(w => w.IsReadOnly));
        var e = Assert.Throws<ReadOnlyWorkspaceException>(() => store.DeleteWorkspace("/base"));
        Assert.Equal("/base", e.WorkspacePath);
        Assert.Equal(NoKVErrorKind.ReadOnly, e.ErrorKind);
        Assert.True(store.WorkspaceExists("/base"));

        store.SetReadOnly("/base", false);
        await store.OpenWorkspace("/base").WriteAllBytesAsync("/f", Bytes(2, 100));
        store.DeleteWorkspace("/base");
        Assert.False(store.WorkspaceExists("/base"));
        Assert.Throws<WorkspaceNotFoundException>(() => store.SetReadOnly("/base", true));
        Assert.Throws<WorkspaceNotFoundException>(() => store.IsReadOnly("/nowhere"));
    }

    /// <summary>Everything a reader can see of a tree: each node's attributes and each file's bytes.</summary>
    private static string Fingerprint(Workspace ws)
    {
        var lines = new List<string>();
        void Walk(string directory)
        {
            foreach (var node in ws.List(directory))
            {
                var hash = node.Kind == NodeKind.File ? Convert.ToHexString(SHA256.HashData(ws.ReadAllBytesAsync(node.Path).GetAwaiter().GetResult())) : "";
                lines.Add($"{node} {hash}");
                if (node.Kind == NodeKind.Directory) Walk(node.Path);
            }
        }
        lines.Add(ws.Stat("/").ToString());
        Walk("/");
        return string.Join("\n", lines);
    }

    private static Exception? Try(Action action)
    {
        try { action(); return null; }
        catch (Exception e) { return e; }
    }

    private static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
