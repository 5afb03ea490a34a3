using NoKV.Tests.Model;

namespace NoKV.Tests;

/// <summary>
/// Attack: a store reopened with a different chunk size keeps older files' chunk sizes; appends,
/// truncates, subtree clones and GC across the change must keep every byte and leak nothing.
/// </summary>
public sealed class ChunkSizeChangeAttackTests
{
    [Fact]
    public async Task Appends_and_truncates_across_a_chunk_size_change_keep_every_byte()
    {
        var dir = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));
        WorkspaceStore Open(int chunk) => WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = dir, ChunkSize = chunk, OrphanGracePeriod = TimeSpan.Zero });
        try
        {
            var small = TestData.Bytes(3 * 4096 + 17, 1);
            using (var store = Open(4096))
            {
                var ws = store.CreateWorkspace("/w");
                ws.CreateDirectory("/d");
                await ws.WriteAllBytesAsync("/d/f", small);
            }

            using (var store = Open(16384))
            {
                var ws = store.OpenWorkspace("/w");
                var tail = TestData.Bytes(40_000, 2);
                await using (var a = await ws.OpenAppendAsync("/d/f")) await a.WriteAsync(tail);
                byte[] expected = [.. small, .. tail];
                Assert.Equal(expected, await ws.ReadAllBytesAsync("/d/f"));
                var sub = store.Clone("/w/d", "/sub");
                await sub.Workspace.TruncateAsync("/f", 5000);
                await ws.TruncateAsync("/d/f", 100_000);
                byte[] grown = [.. expected, .. new byte[100_000 - expected.Length]];
                Assert.Equal(grown, await ws.ReadAllBytesAsync("/d/f"));
                Assert.Equal(expected[..5000], await sub.Workspace.ReadAllBytesAsync("/f"));
                store.ReleaseSnapshot(sub.SnapshotId);
                await store.CollectGarbageAsync(GcMode.Full);
                Assert.Equal(grown, await ws.ReadAllBytesAsync("/d/f"));
                Assert.Equal(expected[..5000], await sub.Workspace.ReadAllBytesAsync("/f"));
                var report = await store.VerifyAsync();
                Assert.True(report.IsHealthy, string.Join("; ", report.Problems));
                var blocks = new List<string>();
                await foreach (var b in store.Blocks.ListAsync("")) blocks.Add(b.Key);
                blocks.Sort(StringComparer.Ordinal);
                Assert.Equal(ReachableBlocks.Of(store), blocks);
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
