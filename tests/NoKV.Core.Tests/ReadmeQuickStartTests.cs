namespace NoKV.Tests;

/// <summary>The README's quick start, line for line, so it stays true.</summary>
public sealed class ReadmeQuickStartTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nokv-readme-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Quick_start_runs_as_documented()
    {
        var output = new List<string>();
        await using (var store = WorkspaceStore.Open(_dir))
        {
            var baseWs = store.CreateWorkspace("/base");
            baseWs.CreateDirectory("/src");
            await baseWs.WriteAllBytesAsync("/src/a.cs", "class A {}"u8.ToArray());
            var fork = store.Clone("/base", "/forks/agent-1");
            await fork.Workspace.WriteAllBytesAsync("/src/a.cs", "class A { int x; }"u8.ToArray());
            foreach (var d in store.Diff("/base", "/forks/agent-1")) output.Add($"{d.Kind} {d.Path}");
            store.Rollback("/forks/agent-1", fork.SnapshotId);
            store.ReleaseSnapshot(fork.SnapshotId);
            var gc = store.CollectGarbage();

            Assert.Equal(["Modified /src/a.cs"], output);
            Assert.Empty(store.Diff("/base", "/forks/agent-1"));
            Assert.Equal(baseWs.RootInode, store.OpenWorkspace("/forks/agent-1").RootInode);
            Assert.Equal(1, gc.GenerationsCollected); // the discarded version (inline: a small file has no block)
        }
        Assert.True(Directory.Exists(Path.Combine(_dir, "meta")));
        Assert.True(Directory.Exists(Path.Combine(_dir, "blocks")));
    }
}
