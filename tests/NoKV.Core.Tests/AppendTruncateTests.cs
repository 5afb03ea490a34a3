namespace NoKV.Tests;

public sealed class AppendTruncateTests : IDisposable
{
    private const int Chunk = TempStore.SmallChunk;
    private readonly TempStore _temp = new();
    private readonly Workspace _ws;
    private WorkspaceStore Store => _temp.Store;

    public AppendTruncateTests() => _ws = _temp.Store.CreateWorkspace("/base");

    public void Dispose() => _temp.Dispose();

    private void AssertHealthy()
    {
        var report = Store.Verify();
        Assert.True(report.IsHealthy, string.Join(Environment.NewLine, report.Problems));
    }

    [Fact]
    public async Task Append_keeps_whole_chunks_and_rewrites_only_the_partial_one()
    {
        var original = TestData.Bytes(2 * Chunk + Chunk / 2, 1);
        await _ws.WriteAllBytesAsync("/log", original);
        var before = _temp.BlockFiles();
        var extra = TestData.Bytes(Chunk, 2);

        await using (var stream = await _ws.OpenAppendAsync("/log")) await stream.WriteAsync(extra);

        byte[] expected = [.. original, .. extra];
        Assert.Equal(expected, await _ws.ReadAllBytesAsync("/log"));
        Assert.Equal(before.Count + 2, _temp.BlockFiles().Count); // the rewritten partial chunk and one new one
        Assert.Equal(1, Store.CollectGarbage().BlocksDeleted);      // the old partial chunk; the whole ones are shared
        Assert.Equal(expected, await _ws.ReadAllBytesAsync("/log"));
        AssertHealthy();
    }

    [Fact]
    public async Task Append_to_a_missing_file_creates_it()
    {
        await using (var stream = await _ws.OpenAppendAsync("/new")) await stream.WriteAsync(TestData.Text("hello"));
        Assert.Equal("hello", await _ws.ReadText("/new"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData(3 * Chunk - 1)]
    [InlineData(3 * Chunk)]
    [InlineData(5 * Chunk + 7)]
    public async Task Truncate_cuts_or_zero_extends(int length)
    {
        var original = TestData.Bytes(3 * Chunk - 100, 3);
        await _ws.WriteAllBytesAsync("/f", original);
        var inode = _ws.Stat("/f").Inode;

        await _ws.TruncateAsync("/f", length);

        var expected = new byte[length];
        original.AsSpan(0, Math.Min(length, original.Length)).CopyTo(expected);
        Assert.Equal(expected, await _ws.ReadAllBytesAsync("/f"));
        Assert.Equal(length, _ws.Stat("/f").Length);
        Assert.Equal(inode, _ws.Stat("/f").Inode);
        Store.CollectGarbage();
        Assert.Equal(expected, await _ws.ReadAllBytesAsync("/f"));
        AssertHealthy();
    }

    [Fact]
    public async Task Truncate_errors_are_typed_and_change_nothing()
    {
        _ws.CreateDirectory("/d");
        await _ws.Write("/f", "data");
        await Assert.ThrowsAsync<PathNotFoundException>(() => _ws.TruncateAsync("/missing", 1));
        await Assert.ThrowsAsync<NotAFileException>(() => _ws.TruncateAsync("/d", 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _ws.TruncateAsync("/f", -1));
        await Assert.ThrowsAsync<PathNotFoundException>(() => _ws.OpenAppendAsync("/missing/f"));
        await Assert.ThrowsAsync<NotAFileException>(() => _ws.OpenAppendAsync("/d"));
        Assert.Equal("data", await _ws.ReadText("/f"));
    }

    [Fact]
    public async Task Shared_blocks_live_until_their_last_user_goes_then_nothing_leaks()
    {
        await _ws.WriteAllBytesAsync("/f", TestData.Bytes(3 * Chunk, 4));
        var pin = _ws.Snapshot();
        var fork = Store.Clone(pin, "/forks/a").Workspace;
        await _ws.TruncateAsync("/f", Chunk);        // base keeps chunk 0 only
        await using (var s = await fork.OpenAppendAsync("/f")) await s.WriteAsync(TestData.Bytes(10, 5)); // fork keeps all three

        Store.ReleaseSnapshot(pin.Id);
        Store.CollectGarbage();
        Assert.Equal(TestData.Bytes(3 * Chunk, 4)[..Chunk], await _ws.ReadAllBytesAsync("/f"));
        byte[] appended = [.. TestData.Bytes(3 * Chunk, 4), .. TestData.Bytes(10, 5)];
        Assert.Equal(appended, await fork.ReadAllBytesAsync("/f"));
        AssertHealthy();

        Store.DeleteWorkspace("/forks/a");
        Store.CollectGarbage();
        Assert.Equal(TestData.Bytes(3 * Chunk, 4)[..Chunk], await _ws.ReadAllBytesAsync("/f"));
        Assert.Single(_temp.BlockFiles());
        AssertHealthy();

        _ws.Delete("/f");
        Store.CollectGarbage();
        Assert.Empty(_temp.BlockFiles());
        AssertHealthy();
    }

    [Fact]
    public async Task A_snapshot_keeps_reading_the_version_before_the_append()
    {
        await _ws.Write("/f", "one");
        var pin = _ws.Snapshot();
        await using (var s = await _ws.OpenAppendAsync("/f")) await s.WriteAsync(TestData.Text(" two"));
        Assert.Equal("one two", await _ws.ReadText("/f"));
        Assert.Equal("one", await pin.ReadText("/f"));
        Assert.Equal([new SubtreeDelta("/f", DeltaKind.Modified)], Store.Diff(pin, "/base"));
    }

    [Fact]
    public async Task Two_dead_versions_sharing_a_block_release_it_exactly_once()
    {
        // Found by the model suite: both generations die in one GC run; the block they share
        // must be deleted by whichever goes second.
        await using (var s = await _ws.OpenAppendAsync("/a")) await s.WriteAsync(TestData.Bytes(Chunk + 1, 1));
        await using (var s = await _ws.OpenAppendAsync("/a")) await s.WriteAsync(TestData.Bytes(9000, 2));
        _ws.Delete("/a");
        Store.CollectGarbage();
        Assert.Empty(_temp.BlockFiles());
        AssertHealthy();
    }
}
