using NoKV.Engine;

namespace NoKV.Tests;

/// <summary>WriteAt (pwrite by inode) with hostile offsets, edge sizes and concurrent edits.</summary>
public sealed class WriteAtAttackTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static async Task<byte[]> ReadIno(WorkspaceStore store, Workspace ws, long ino)
    {
        await using var s = store.Content.OpenRead(ws.ViewOf, ino, snapshotId: 0);
        var m = new MemoryStream();
        await s.CopyToAsync(m);
        return m.ToArray();
    }

    [Fact]
    public async Task An_offset_whose_end_overflows_is_rejected_at_once()
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        await ws.Write("/f", "abc");
        var ino = ws.Stat("/f").Inode;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var e = await Record.ExceptionAsync(() => t.Store.Content.WriteAt(ws.Ref, ino, long.MaxValue - 4, new byte[10], cts.Token));
        Assert.True(e is ArgumentOutOfRangeException, $"WriteAt at long.MaxValue-4 of 10 bytes gave {e?.GetType().Name ?? "success"} (after {(cts.IsCancellationRequested ? "being cancelled at 1 s: it was filling the gap with zeros" : "no cancel")})");
        Assert.Equal("abc"u8.ToArray(), await ReadIno(t.Store, ws, ino));
    }

    [Theory]
    [InlineData(0, 0, 0)]        // empty file, empty data
    [InlineData(0, 4096, 0)]     // empty data past the end: grows with zeros
    [InlineData(0, 4096, 1)]
    [InlineData(4096, 4096, 0)]  // exactly at the end, on a boundary
    [InlineData(8192, 4095, 2)]  // ends exactly on a boundary
    [InlineData(8192, 4096, 4096)]
    [InlineData(10000, 0, 10000)]
    [InlineData(10000, 3, 0)]
    [InlineData(12288, 12288, 1)]
    public async Task WriteAt_matches_a_byte_array_model(int initial, int offset, int length)
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        var old = Enumerable.Range(0, initial).Select(i => (byte)(i * 7 + 1)).ToArray();
        await using (var s = ws.OpenWrite("/f")) await s.WriteAsync(old);
        var ino = ws.Stat("/f").Inode;
        var data = Enumerable.Range(0, length).Select(i => (byte)(255 - i % 251)).ToArray();
        await t.Store.Content.WriteAt(ws.Ref, ino, offset, data, CancellationToken.None);
        var expected = new byte[Math.Max(initial, offset + length)];
        old.CopyTo(expected, 0);
        data.CopyTo(expected, offset);
        Assert.Equal(expected, await ReadIno(t.Store, ws, ino));
        Assert.Equal(ino, ws.Stat("/f").Inode);
        Assert.Empty(t.Store.Verify().Problems);
        t.Store.CollectGarbage(GcMode.Full);
        Assert.Equal(expected, await ReadIno(t.Store, ws, ino));
        Assert.Empty(t.Store.Verify().Problems);
    }

    [Fact]
    public async Task Concurrent_writes_to_different_chunks_of_one_file_both_land()
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        await using (var s = ws.OpenWrite("/f")) await s.WriteAsync(new byte[8 * 4096]);
        var ino = ws.Stat("/f").Inode;
        var lost = 0;
        for (var round = 0; round < 20; round++)
        {
            var a = Enumerable.Repeat((byte)(round + 1), 100).ToArray();
            var b = Enumerable.Repeat((byte)(round + 101), 100).ToArray();
            await Task.WhenAll(
                Task.Run(() => t.Store.Content.WriteAt(ws.Ref, ino, 0, a, CancellationToken.None)),
                Task.Run(() => t.Store.Content.WriteAt(ws.Ref, ino, 5 * 4096, b, CancellationToken.None)));
            var bytes = await ReadIno(t.Store, ws, ino);
            if (bytes[0] != a[0] || bytes[5 * 4096] != b[0]) lost++;
        }
        output.WriteLine($"rounds that lost a write: {lost}/20");
        Assert.Empty(t.Store.Verify().Problems);
        Assert.True(lost == 0, $"{lost} of 20 rounds of two concurrent pwrites to different chunks of one file lost one of them (each WriteAt republishes the whole version it started from)");
    }

    [Fact]
    public async Task WriteAt_truncate_and_append_racing_with_full_gc_never_lose_a_referenced_block()
    {
        using var t = new TempStore();
        var store = t.Store;
        var ws = store.CreateWorkspace("/w");
        await using (var s = ws.OpenWrite("/f")) await s.WriteAsync(new byte[6 * 4096 + 17]);
        var ino = ws.Stat("/f").Inode;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        var random = new Random(4);
        var failures = new List<string>();
        async Task Loop(Func<int, Task> body)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try { await body(i); }
                catch (Exception e) when (e is not NoKVException)
                {
                    lock (failures) failures.Add(e.ToString());
                }
                catch (NoKVException) { }
            }
        }
        await Task.WhenAll(
            Task.Run(() => Loop(i => store.Content.WriteAt(ws.Ref, ino, (i * 4093) % 40000, new byte[i % 9000], CancellationToken.None))),
            Task.Run(() => Loop(i => store.Content.Truncate(ws.Ref, ino, (i * 5003) % 30000, CancellationToken.None))),
            Task.Run(() => Loop(async i => { await using var s = await ws.OpenAppendAsync("/f"); await s.WriteAsync(new byte[(i * 37) % 5000]); })),
            Task.Run(() => Loop(i => { store.CollectGarbage(GcMode.Full); return Task.CompletedTask; })),
            Task.Run(() => Loop(async i => { await ReadIno(store, ws, ino); })));
        Assert.Empty(failures);
        Assert.Empty(store.Verify().Problems);
        await ReadIno(store, ws, ino);
    }
}
