namespace NoKV.Tests;

public sealed class FileOperationTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly Workspace _ws;

    public FileOperationTests() => _ws = _temp.Store.CreateWorkspace("/base");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Write_then_read_round_trips_bytes_and_metadata()
    {
        _ws.CreateDirectory("/src/lib");
        await _ws.Write("/src/lib/a.cs", "class A {}");

        Assert.Equal("class A {}", await _ws.ReadText("/src/lib/a.cs"));
        var stat = _ws.Stat("/src/lib/a.cs");
        Assert.Equal(NodeKind.File, stat.Kind);
        Assert.Equal(10, stat.Length);
        Assert.Equal("a.cs", stat.Name);
        Assert.Equal("/src/lib/a.cs", stat.Path);
        Assert.True(stat.Generation > 0);
        Assert.Equal(NodeKind.Directory, _ws.Stat("/src").Kind);
        Assert.Equal(NodeKind.Directory, _ws.Stat("/").Kind);
    }

    [Fact]
    public async Task Multi_chunk_file_reads_back_and_seeks()
    {
        var data = TestData.Bytes(7 * TempStore.SmallChunk + 123, 42);
        await using (var w = _ws.OpenWrite("/big.bin"))
        {
            // Odd-sized writes straddle chunk boundaries.
            for (var off = 0; off < data.Length; off += 1000) w.Write(data, off, Math.Min(1000, data.Length - off));
        }
        Assert.Equal(8, _temp.BlockFiles().Count);

        await using var r = _ws.OpenRead("/big.bin");
        Assert.True(r.CanSeek);
        Assert.Equal(data.Length, r.Length);
        foreach (var pos in new[] { 0L, 4095, 4096, 10_000, data.Length - 5 })
        {
            r.Position = pos;
            var buf = new byte[300];
            var n = r.ReadAtLeast(buf, Math.Min(300, (int)(data.Length - pos)), throwOnEndOfStream: false);
            Assert.Equal(data.AsSpan((int)pos, n).ToArray(), buf.AsSpan(0, n).ToArray());
        }
        r.Seek(-1, SeekOrigin.End);
        Assert.Equal(data[^1], r.ReadByte());
        Assert.Equal(-1, r.ReadByte());
    }

    [Fact]
    public async Task Empty_file_is_a_file_of_length_zero()
    {
        await _ws.WriteAllBytesAsync("/empty", ReadOnlyMemory<byte>.Empty);
        Assert.Equal(0, _ws.Stat("/empty").Length);
        Assert.Empty(await _ws.ReadAllBytesAsync("/empty"));
    }

    [Fact]
    public async Task Readers_see_the_old_version_until_the_writer_is_disposed()
    {
        await _ws.Write("/a", "old");
        var w = _ws.OpenWrite("/a");
        w.Write(TestData.Text("new"));
        Assert.Equal("old", await _ws.ReadText("/a"));
        Assert.False(_ws.Exists("/b"));
        await w.DisposeAsync();
        Assert.Equal("new", await _ws.ReadText("/a"));
    }

    [Fact]
    public async Task Overwrite_keeps_the_inode_and_mints_a_new_generation()
    {
        await _ws.Write("/a", "one");
        var before = _ws.Stat("/a");
        await _ws.Write("/a", "one");
        var after = _ws.Stat("/a");
        Assert.Equal(before.Inode, after.Inode);
        Assert.NotEqual(before.Generation, after.Generation);
    }

    [Fact]
    public async Task A_read_stream_keeps_reading_its_version_after_an_overwrite_and_gc()
    {
        var data = TestData.Bytes(3 * TempStore.SmallChunk, 7);
        await _ws.WriteAllBytesAsync("/a", data);
        await using var r = _ws.OpenRead("/a");
        await _ws.Write("/a", "replaced");
        var report = _temp.Store.CollectGarbage();
        Assert.Equal(1, report.GenerationsInUse);

        var read = new byte[data.Length];
        await r.ReadExactlyAsync(read);
        Assert.Equal(data, read);
        await r.DisposeAsync();
        Assert.Equal(3, _temp.Store.CollectGarbage().BlocksDeleted);
    }

    [Fact]
    public void List_returns_children_in_ordinal_order()
    {
        _ws.CreateDirectory("/d/b");
        _ws.CreateDirectory("/d/a");
        _ws.CreateDirectory("/d/C");
        Assert.Equal(["C", "a", "b"], _ws.List("/d").Select(n => n.Name));
        Assert.Equal("/d/a", _ws.List("/d")[1].Path);
    }

    [Fact]
    public async Task Write_errors_are_typed_and_change_nothing()
    {
        _ws.CreateDirectory("/dir");
        await _ws.Write("/file", "x");
        var blocks = _temp.BlockFiles().Count;

        Assert.Throws<PathNotFoundException>(() => _ws.OpenWrite("/missing/a"));
        Assert.Throws<NotAFileException>(() => _ws.OpenWrite("/dir"));
        Assert.Throws<NotADirectoryException>(() => _ws.OpenWrite("/file/child"));
        Assert.Throws<NotAFileException>(() => _ws.OpenWrite("/"));
        Assert.Throws<NotADirectoryException>(() => _ws.CreateDirectory("/file/sub"));
        Assert.Throws<NotADirectoryException>(() => _ws.List("/file"));
        Assert.Throws<NotAFileException>(() => _ws.OpenRead("/dir"));
        Assert.Throws<PathNotFoundException>(() => _ws.OpenRead("/nope"));
        Assert.Throws<PathNotFoundException>(() => _ws.Stat("/nope"));

        Assert.Equal(blocks, _temp.BlockFiles().Count);
        Assert.Equal(["dir", "file"], _ws.List("/").Select(n => n.Name));
    }

    [Fact]
    public async Task Publish_fails_cleanly_when_the_parent_vanished_meanwhile()
    {
        _ws.CreateDirectory("/d");
        var w = _ws.OpenWrite("/d/a");
        w.Write(TestData.Bytes(2 * TempStore.SmallChunk, 3));
        _ws.Delete("/d");
        await Assert.ThrowsAsync<PathNotFoundException>(async () => await w.DisposeAsync());
        Assert.Empty(_temp.BlockFiles());
        Assert.False(_ws.Exists("/d"));
    }

    [Fact]
    public async Task Move_renames_files_and_directories()
    {
        _ws.CreateDirectory("/src/inner");
        await _ws.Write("/src/inner/a", "A");
        _ws.CreateDirectory("/dst");

        _ws.Move("/src", "/dst/moved");
        Assert.False(_ws.Exists("/src"));
        Assert.Equal("A", await _ws.ReadText("/dst/moved/inner/a"));

        _ws.Move("/dst/moved/inner/a", "/b");
        Assert.Equal("A", await _ws.ReadText("/b"));
        Assert.Empty(_ws.List("/dst/moved/inner"));
    }

    [Fact]
    public async Task Invalid_moves_are_refused_and_change_nothing()
    {
        _ws.CreateDirectory("/a/b");
        await _ws.Write("/f", "f");
        await _ws.Write("/g", "g");

        Assert.Throws<InvalidMoveException>(() => _ws.Move("/a", "/a/b/c"));
        Assert.Throws<InvalidMoveException>(() => _ws.Move("/a", "/a/x"));
        Assert.Throws<InvalidMoveException>(() => _ws.Move("/", "/x"));
        Assert.Throws<PathAlreadyExistsException>(() => _ws.Move("/f", "/g"));
        Assert.Throws<PathNotFoundException>(() => _ws.Move("/nope", "/x"));
        Assert.Throws<PathNotFoundException>(() => _ws.Move("/f", "/missing/x"));

        Assert.Equal(["a", "f", "g"], _ws.List("/").Select(n => n.Name));
        Assert.Equal("f", await _ws.ReadText("/f"));
        Assert.True(_ws.Exists("/a/b"));
    }

    [Fact]
    public async Task Delete_requires_recursive_for_a_non_empty_directory()
    {
        _ws.CreateDirectory("/d/e");
        await _ws.Write("/d/e/f", "x");
        Assert.Throws<DirectoryNotEmptyException>(() => _ws.Delete("/d"));
        Assert.Equal("x", await _ws.ReadText("/d/e/f"));

        _ws.Delete("/d", recursive: true);
        Assert.False(_ws.Exists("/d"));
        Assert.Empty(_ws.List("/"));
        Assert.Throws<PathNotFoundException>(() => _ws.Delete("/d"));
        Assert.Throws<InvalidPathException>(() => _ws.Delete("/"));
    }

    [Fact]
    public async Task Deleting_files_and_gc_reclaims_their_blocks()
    {
        _ws.CreateDirectory("/d");
        await _ws.WriteAllBytesAsync("/d/a", TestData.Bytes(2 * TempStore.SmallChunk, 1));
        await _ws.WriteAllBytesAsync("/d/b", TestData.Bytes(10, 2));
        Assert.Equal(3, _temp.BlockFiles().Count);

        _ws.Delete("/d", recursive: true);
        var report = _temp.Store.CollectGarbage();
        Assert.Equal(3, report.BlocksDeleted);
        Assert.Equal(2 * TempStore.SmallChunk + 10, report.BytesReclaimed);
        Assert.Empty(_temp.BlockFiles());
    }

    [Fact]
    public async Task Writes_from_many_threads_into_many_workspaces_all_land()
    {
        var workspaces = Enumerable.Range(0, 8).Select(i => _temp.Store.CreateWorkspace($"/w/{i}")).ToList();
        await Parallel.ForEachAsync(workspaces, async (ws, ct) =>
        {
            for (var i = 0; i < 20; i++) await ws.WriteAllBytesAsync($"/f{i}", TestData.Text($"{ws.Path}:{i}"), ct);
        });
        foreach (var ws in workspaces)
        {
            Assert.Equal(20, ws.List("/").Count);
            Assert.Equal($"{ws.Path}:7", await ws.ReadText("/f7"));
        }
    }
}
