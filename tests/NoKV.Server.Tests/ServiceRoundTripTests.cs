using NoKV.Client;

namespace NoKV.Tests;

/// <summary>Every operation through the client on a real socket gives what the in-process API gives on the same store.</summary>
public sealed class ServiceRoundTripTests
{
    [Fact]
    public async Task Workspaces_are_created_listed_located_and_dropped()
    {
        await using var s = await ServedStore.StartAsync();
        var ws = await s.Client.CreateWorkspaceAsync("/base");
        Assert.Equal("/base", ws.Path);
        Assert.Equal(s.Store.OpenWorkspace("/base").RootInode, ws.RootInode);
        Assert.True(await s.Client.WorkspaceExistsAsync("/base"));
        Assert.Equal(s.Store.ListWorkspaces(), await s.Client.ListWorkspacesAsync());
        Assert.Equal("/base", (await s.Client.OpenWorkspaceAsync("/base")).Path);

        await ws.CreateDirectoryAsync("/src/deep");
        var located = await s.Client.LocateAsync("/base/src/deep");
        Assert.Equal(("/base", "/src/deep"), (located.Workspace.Path, located.Path));

        await s.Client.DeleteWorkspaceAsync("/base");
        Assert.False(s.Store.WorkspaceExists("/base"));
        Assert.Empty(await s.Client.ListWorkspacesAsync());
    }

    [Fact]
    public async Task File_operations_match_the_in_process_store()
    {
        await using var s = await ServedStore.StartAsync();
        var ws = await s.Client.CreateWorkspaceAsync("/w");
        var local = s.Store.OpenWorkspace("/w");

        await ws.WriteAllBytesAsync("/a.txt", "hello"u8.ToArray());
        Assert.Equal("hello"u8.ToArray(), await local.ReadAllBytesAsync("/a.txt"));
        Assert.Equal(local.Stat("/a.txt"), await ws.StatAsync("/a.txt"));
        Assert.True(await ws.ExistsAsync("/a.txt"));
        Assert.False(await ws.ExistsAsync("/nope"));

        await ws.CreateDirectoryAsync("/d/e");
        await ws.MoveAsync("/a.txt", "/d/b.txt");
        Assert.False(local.Exists("/a.txt"));
        Assert.Equal("hello"u8.ToArray(), await ws.ReadAllBytesAsync("/d/b.txt"));

        var link = await ws.CreateSymbolicLinkAsync("/d/link", "../elsewhere");
        Assert.Equal("../elsewhere", link.LinkTarget);
        Assert.Equal(local.Stat("/d/link"), link);

        var mode = await ws.SetUnixFileModeAsync("/d/b.txt", UnixFileMode.UserRead | UnixFileMode.UserExecute);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserExecute, local.Stat("/d/b.txt").Mode);
        Assert.Equal(local.Stat("/d/b.txt"), mode);
        var when = new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);
        await ws.SetLastWriteTimeAsync("/d/b.txt", when);
        Assert.Equal(when, local.Stat("/d/b.txt").LastWriteTime);
        await ws.SetOwnerAsync("/d/b.txt", 1234, 5678);
        Assert.Equal((1234L, 5678L), (local.Stat("/d/b.txt").OwnerId, local.Stat("/d/b.txt").GroupId));

        Assert.Equal(local.List("/d"), await ws.ListAsync("/d"));

        await ws.TruncateAsync("/d/b.txt", 2);
        Assert.Equal("he"u8.ToArray(), await local.ReadAllBytesAsync("/d/b.txt"));
        var append = await ws.OpenAppendAsync("/d/b.txt");
        await using (append) await append.WriteAsync("llo!"u8.ToArray());
        Assert.Equal("hello!"u8.ToArray(), await local.ReadAllBytesAsync("/d/b.txt"));
        Assert.Equal(local.Stat("/d/b.txt"), append.Published);

        await ws.DeleteAsync("/d/link");
        await ws.DeleteAsync("/d", recursive: true);
        Assert.Empty(local.List("/"));
    }

    [Fact]
    public async Task A_file_of_many_chunks_streams_both_ways_byte_for_byte()
    {
        await using var s = await ServedStore.StartAsync();
        var ws = await s.Client.CreateWorkspaceAsync("/w");
        var data = new byte[5 * 1024 * 1024 + 12345];
        new Random(17).NextBytes(data);

        var output = await ws.OpenWriteAsync("/big.bin");
        await using (output)
        {
            // Odd-sized writes: the stream re-chunks them.
            for (var at = 0; at < data.Length; at += 100_003)
                await output.WriteAsync(data.AsMemory(at, Math.Min(100_003, data.Length - at)));
        }
        Assert.Equal(data, await s.Store.OpenWorkspace("/w").ReadAllBytesAsync("/big.bin"));

        var input = await ws.OpenReadAsync("/big.bin");
        await using (input)
        {
            using var copy = new MemoryStream();
            await input.CopyToAsync(copy, 7_777);
            Assert.Equal(data, copy.ToArray());
        }
    }

    [Fact]
    public async Task Snapshots_clones_diff_rollback_promote_and_release_round_trip()
    {
        await using var s = await ServedStore.StartAsync();
        var c = s.Client;
        var baseWs = await c.CreateWorkspaceAsync("/base");
        await baseWs.WriteAllBytesAsync("/keep", "k"u8.ToArray());
        await baseWs.WriteAllBytesAsync("/change", "1"u8.ToArray());

        var pin = await c.SnapshotAsync("/base");
        Assert.Equal(s.Store.GetSnapshot(pin.Id).ReadVersion, pin.ReadVersion);
        Assert.Equal("/base", pin.Root);
        Assert.Equal(pin.Id, (await c.GetSnapshotAsync(pin.Id)).Id);
        Assert.Contains(await c.ListSnapshotsAsync(), p => p.Id == pin.Id);
        Assert.Contains(await c.ListSnapshotsAsync("/base"), p => p.Id == pin.Id);

        var fork = await c.CloneAsync("/base", "/forks/a");
        Assert.Equal("/forks/a", fork.Root);
        await fork.Workspace.WriteAllBytesAsync("/change", "2"u8.ToArray());
        await fork.Workspace.WriteAllBytesAsync("/new", "n"u8.ToArray());

        var expected = s.Store.Diff("/base", "/forks/a");
        var deltas = new List<SubtreeDelta>();
        await foreach (var d in c.DiffAsync("/base", "/forks/a")) deltas.Add(d);
        Assert.Equal(expected, deltas);
        Assert.Equal(2, deltas.Count);

        var fromPin = await c.CloneAsync(pin, "/forks/b");
        Assert.Equal("1"u8.ToArray(), await fromPin.Workspace.ReadAllBytesAsync("/change"));
        Assert.Equal("k"u8.ToArray(), await pin.ReadAllBytesAsync("/keep"));
        Assert.Equal(s.Store.GetSnapshot(pin.Id).List("/"), await pin.ListAsync("/"));
        Assert.Equal(s.Store.GetSnapshot(pin.Id).Stat("/keep"), await pin.StatAsync("/keep"));
        var pinDiff = new List<SubtreeDelta>();
        await foreach (var d in c.DiffAsync(pin, "/forks/a")) pinDiff.Add(d);
        Assert.Equal(s.Store.Diff(s.Store.GetSnapshot(pin.Id), "/forks/a"), pinDiff);

        var result = await c.PromoteAsync("/forks/a", "/base");
        Assert.True(result.Promoted);
        Assert.Equal("2"u8.ToArray(), await s.Store.OpenWorkspace("/base").ReadAllBytesAsync("/change"));

        await c.RollbackAsync("/base", pin.Id);
        Assert.Equal("1"u8.ToArray(), await s.Store.OpenWorkspace("/base").ReadAllBytesAsync("/change"));
        Assert.False(s.Store.OpenWorkspace("/base").Exists("/new"));

        await c.ReleaseSnapshotAsync(pin.Id);
        await Assert.ThrowsAsync<SnapshotNotFoundException>(() => c.GetSnapshotAsync(pin.Id));
    }

    [Fact]
    public async Task Gc_verify_and_flush_report_what_the_store_reports()
    {
        await using var s = await ServedStore.StartAsync(o => o.InlineThreshold = 0);
        var ws = await s.Client.CreateWorkspaceAsync("/w");
        await ws.WriteAllBytesAsync("/a", new byte[10_000]);
        await ws.WriteAllBytesAsync("/a", new byte[10_000]); // the first version becomes garbage
        await s.Client.FlushAsync();

        var gc = await s.Client.CollectGarbageAsync(GcMode.Full);
        Assert.Equal(GcMode.Full, gc.Mode);
        Assert.True(gc.GenerationsCollected >= 1, gc.ToString());

        var report = await s.Client.VerifyAsync();
        Assert.True(report.IsHealthy);
        Assert.True(report.ViewsChecked >= 1);
        Assert.Equal(s.Store.Verify().GenerationsChecked, report.GenerationsChecked);
    }
}
