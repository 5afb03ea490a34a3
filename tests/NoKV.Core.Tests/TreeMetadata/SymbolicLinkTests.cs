namespace NoKV.Tests.TreeMetadata;

/// <summary>Symbolic links: stored byte-exact, never followed, refused where a file or directory is needed.</summary>
public sealed class SymbolicLinkTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly Workspace _ws;

    public SymbolicLinkTests()
    {
        _ws = _temp.Store.CreateWorkspace("/ws");
        _ws.CreateDirectory("/dir");
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("target.txt")]
    [InlineData("../../outside/of/everything")]
    [InlineData("/etc/passwd")]
    [InlineData("does-not-exist")]
    [InlineData("naïve/日本語 with spaces\tand tab")]
    [InlineData("./a//b/./c/")]
    public void A_link_keeps_its_target_exactly_and_reports_lstat_fields(string target)
    {
        var created = _ws.CreateSymbolicLink("/dir/link", target);
        var stat = _ws.Stat("/dir/link");

        Assert.Equal(NodeKind.SymbolicLink, stat.Kind);
        Assert.Equal(target, stat.LinkTarget);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(target), stat.Length);
        Assert.Equal(0, stat.Generation);
        Assert.Equal((UnixFileMode)0x1FF, stat.Mode); // 0777
        Assert.Equal(created, stat);
        Assert.True(_ws.Exists("/dir/link")); // dangling or not, the link itself exists
        Assert.Equal(target, _temp.Reopen().OpenWorkspace("/ws").Stat("/dir/link").LinkTarget);
    }

    [Fact]
    public async Task NoKV_never_follows_a_link_in_a_path()
    {
        await _ws.Write("/dir/file", "x");
        _ws.CreateSymbolicLink("/to-dir", "dir");

        var e = Assert.Throws<NotADirectoryException>(() => _ws.Stat("/to-dir/file"));
        Assert.Equal(NodeKind.SymbolicLink, e.ActualKind);
        Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal);
        Assert.Throws<NotADirectoryException>(() => _ws.List("/to-dir"));
        Assert.Throws<NotADirectoryException>(() => _ws.CreateDirectory("/to-dir/sub"));
        await Assert.ThrowsAsync<NotADirectoryException>(() => _ws.Write("/to-dir/new", "y"));
        Assert.Throws<NotADirectoryException>(() => _ws.CreateSymbolicLink("/to-dir/l", "x"));
        Assert.False(_ws.Exists("/to-dir/file"));
        Assert.Equal(["file"], _ws.List("/dir").Select(n => n.Name));
    }

    [Fact]
    public async Task Reading_or_writing_a_link_is_refused_and_leaves_it_as_it_was()
    {
        await _ws.Write("/dir/file", "x");
        _ws.CreateSymbolicLink("/link", "dir/file");

        var read = await Assert.ThrowsAsync<NotAFileException>(() => _ws.ReadAllBytesAsync("/link"));
        Assert.Equal(NodeKind.SymbolicLink, read.ActualKind);
        Assert.Equal(NoKVErrorKind.InvalidRequest, read.ErrorKind);
        Assert.Throws<NotAFileException>(() => _ws.OpenRead("/link"));
        Assert.Throws<NotAFileException>(() => _ws.OpenWrite("/link"));
        await Assert.ThrowsAsync<NotAFileException>(() => _ws.Write("/link", "y"));
        await Assert.ThrowsAsync<NotAFileException>(() => _ws.OpenAppendAsync("/link"));
        await Assert.ThrowsAsync<NotAFileException>(() => _ws.TruncateAsync("/link", 0));

        Assert.Equal("dir/file", _ws.Stat("/link").LinkTarget);
        Assert.Equal("x", await _ws.ReadText("/dir/file"));
    }

    [Fact]
    public void A_link_cannot_replace_an_existing_name_or_be_created_without_its_parent()
    {
        _ws.CreateSymbolicLink("/l", "a");
        Assert.Throws<PathAlreadyExistsException>(() => _ws.CreateSymbolicLink("/l", "b"));
        Assert.Throws<PathAlreadyExistsException>(() => _ws.CreateSymbolicLink("/dir", "b"));
        Assert.Throws<PathNotFoundException>(() => _ws.CreateSymbolicLink("/missing/l", "b"));
        Assert.Throws<PathAlreadyExistsException>(() => _ws.CreateSymbolicLink("/", "b"));
        Assert.Equal("a", _ws.Stat("/l").LinkTarget);
    }

    public static TheoryData<string> BadTargets => new()
    {
        "",
        "a\0b",
        new string('x', 4096),
        new string('é', 2048), // 4,096 UTF-8 bytes
    };

    [Theory]
    [MemberData(nameof(BadTargets))]
    public void A_bad_target_is_refused_and_nothing_is_created(string target)
    {
        var before = _temp.Store.Snapshot("/ws");
        Assert.Throws<InvalidPathException>(() => _ws.CreateSymbolicLink("/l", target));
        Assert.False(_ws.Exists("/l"));
        Assert.Empty(_temp.Store.Diff(before, "/ws"));
    }

    [Fact]
    public void A_target_with_an_unpaired_surrogate_is_refused()
    {
        // Built here: xunit's test-case serialisation would turn a theory's lone surrogate into U+FFFD.
        var target = "a" + (char)0xD800 + "b";
        Assert.Throws<InvalidPathException>(() => _ws.CreateSymbolicLink("/l", target));
        Assert.False(_ws.Exists("/l"));
    }

    [Fact]
    public void The_longest_target_is_accepted()
    {
        var target = new string('x', 4095);
        Assert.Equal(target, _ws.CreateSymbolicLink("/l", target).LinkTarget);
    }

    [Fact]
    public void A_null_target_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => _ws.CreateSymbolicLink("/l", null!));
    }

    [Fact]
    public void A_link_is_deleted_and_moved_as_itself_never_its_target()
    {
        _ws.CreateSymbolicLink("/to-dir", "dir");
        _ws.CreateSymbolicLink("/other", "x");

        _ws.Move("/to-dir", "/renamed");
        Assert.Equal("dir", _ws.Stat("/renamed").LinkTarget);
        Assert.True(_ws.Exists("/dir"));

        _ws.Delete("/renamed");
        _ws.Delete("/other", recursive: true);
        Assert.False(_ws.Exists("/renamed"));
        Assert.False(_ws.Exists("/other"));
        Assert.True(_ws.Exists("/dir"));
    }

    [Fact]
    public void Listings_show_links_as_links()
    {
        _ws.CreateSymbolicLink("/dir/l", "../x");
        var listed = Assert.Single(_ws.List("/dir"));
        Assert.Equal(NodeKind.SymbolicLink, listed.Kind);
        Assert.Equal("../x", listed.LinkTarget);
    }

    [Fact]
    public async Task Clone_snapshot_and_rollback_carry_links()
    {
        _ws.CreateSymbolicLink("/l", "first");
        var snap = _ws.Snapshot();
        var fork = _temp.Store.Clone("/ws", "/fork").Workspace;
        Assert.Equal("first", fork.Stat("/l").LinkTarget);

        _ws.Delete("/l");
        _ws.CreateSymbolicLink("/l", "second");
        Assert.Equal("first", snap.Stat("/l").LinkTarget);
        Assert.Equal("first", fork.Stat("/l").LinkTarget);
        Assert.Equal([new SubtreeDelta("/l", DeltaKind.Modified)], _temp.Store.Diff(snap, "/ws"));

        _ws.Rollback(snap);
        Assert.Equal("first", _ws.Stat("/l").LinkTarget);
        Assert.Equal("-> first", (await _ws.Tree())["/l"]);
        Assert.True(_temp.Store.Verify().IsHealthy);
    }
}
