namespace NoKV.Tests;

public sealed class PathValidationTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly Workspace _ws;

    public PathValidationTests() => _ws = _temp.Store.CreateWorkspace("/base");

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> BadPaths() =>
    [
        "", "relative", "a/b", "/a/../b", "/..", "/.", "/a/./b", "//a", "/a//b", "/a/",
        "/a\0b", "/a\u0001b", "/a\nb", "/" + new string('x', 256), "/" + string.Concat(Enumerable.Repeat("é", 128)),
    ];

    [Theory]
    [MemberData(nameof(BadPaths))]
    public async Task Bad_paths_throw_ArgumentException_and_change_nothing(string path)
    {
        await _ws.Write("/keep", "k");
        var before = await _ws.Tree();

        Assert.ThrowsAny<ArgumentException>(() => _ws.CreateDirectory(path));
        Assert.ThrowsAny<ArgumentException>(() => _ws.OpenWrite(path));
        Assert.ThrowsAny<ArgumentException>(() => _ws.OpenRead(path));
        Assert.ThrowsAny<ArgumentException>(() => _ws.Stat(path));
        Assert.ThrowsAny<ArgumentException>(() => _ws.Exists(path));
        Assert.ThrowsAny<ArgumentException>(() => _ws.Delete(path));
        Assert.ThrowsAny<ArgumentException>(() => _ws.Move("/keep", path));
        Assert.ThrowsAny<ArgumentException>(() => _temp.Store.CreateWorkspace(path));
        Assert.ThrowsAny<ArgumentException>(() => _temp.Store.Clone("/base", path));

        Assert.Equal(before, await _ws.Tree());
        Assert.Equal(["/base"], _temp.Store.ListWorkspaces().Select(w => w.Path));
    }

    [Fact]
    public void Unpaired_surrogates_are_rejected()
    {
        // Not theory data: xunit serialises theory arguments and would turn these into U+FFFD.
        foreach (var path in new[] { "/bad\ud800", "/\udc00x", "/a/\ud83d" })
        {
            var e = Assert.Throws<InvalidPathException>(() => _ws.CreateDirectory(path));
            Assert.Contains("surrogate", e.Message, StringComparison.Ordinal);
        }
        Assert.Empty(_ws.List("/"));
    }

    [Fact]
    public async Task Names_up_to_255_utf8_bytes_and_unicode_are_fine()
    {
        var longName = "/" + new string('x', 255);
        await _ws.Write(longName, "ok");
        Assert.Equal("ok", await _ws.ReadText(longName));

        // No normalisation: precomposed and decomposed forms are two different names.
        await _ws.Write("/caf\u00e9", "precomposed");
        await _ws.Write("/cafe\u0301", "decomposed");
        Assert.Equal("precomposed", await _ws.ReadText("/caf\u00e9"));
        Assert.Equal("decomposed", await _ws.ReadText("/cafe\u0301"));
        await _ws.Write("/emoji-\ud83d\ude00", "surrogate pair");
        Assert.True(_ws.Exists("/emoji-\ud83d\ude00"));
    }

    [Fact]
    public void Invalid_path_exception_names_the_path_and_reason()
    {
        var e = Assert.Throws<InvalidPathException>(() => _ws.Stat("/a/../etc/passwd"));
        Assert.Equal("/a/../etc/passwd", e.InvalidPath);
        Assert.Contains("'..'", e.Message, StringComparison.Ordinal);
    }
}
