namespace NoKV.Tests;

/// <summary>
/// A snapshot of a directory is a view rooted at that directory: by-inode reads through it must
/// not reach the rest of the workspace. And a WriteAt on a file written under another chunk size
/// (the store reopened with a new one) must keep the file's own layout.
/// </summary>
public sealed class ViewBoundaryAttackTests
{
    [Fact]
    public async Task A_snapshot_of_a_directory_does_not_read_other_inodes_of_its_workspace()
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/a");
        ws.CreateDirectory("/pub");
        await ws.Write("/pub/x", "public");
        await ws.Write("/secret", "top secret");
        var secret = ws.Stat("/secret").Inode;
        var pin = t.Store.Snapshot("/a/pub");
        var e = Record.Exception(() => t.Store.Content.OpenRead(pin.ViewOf, secret, pin.Id).Dispose());
        Assert.True(e is PathNotFoundException, $"reading inode {secret} through a snapshot of /a/pub gave {e?.GetType().Name ?? "its bytes"}");
        Assert.Equal("public", new StreamReader(t.Store.Content.OpenRead(pin.ViewOf, ws.Stat("/pub/x").Inode, pin.Id)).ReadToEnd());
    }

    [Theory]
    [InlineData(4096, 8192)]
    [InlineData(8192, 4096)]
    public async Task WriteAt_keeps_the_layout_of_a_file_written_under_another_chunk_size(int before, int after)
    {
        var dir = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var old = Enumerable.Range(0, 30000).Select(i => (byte)(i % 253)).ToArray();
            long ino;
            using (var s1 = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = dir, ChunkSize = before, OrphanGracePeriod = TimeSpan.Zero }))
            {
                var ws = s1.CreateWorkspace("/w");
                await using (var w = ws.OpenWrite("/f")) await w.WriteAsync(old);
                ino = ws.Stat("/f").Inode;
            }
            using var s2 = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = dir, ChunkSize = after, OrphanGracePeriod = TimeSpan.Zero });
            var ws2 = s2.OpenWorkspace("/w");
            var expected = (byte[])old.Clone();
            foreach (var (offset, length) in new[] { (5000, 100), (8191, 2), (0, 4096), (29990, 50) })
            {
                var data = Enumerable.Repeat((byte)0xEE, length).ToArray();
                await s2.Content.WriteAt(ws2.Ref, ino, offset, data, CancellationToken.None);
                if (offset + length > expected.Length) Array.Resize(ref expected, offset + length);
                data.CopyTo(expected, offset);
                await using var r = s2.Content.OpenRead(ws2.ViewOf, ino, 0);
                var m = new MemoryStream();
                await r.CopyToAsync(m);
                Assert.Equal(expected, m.ToArray());
            }
            Assert.Empty(s2.Verify().Problems);
            s2.CollectGarbage(GcMode.Full);
            Assert.Empty(s2.Verify().Problems);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }
}
