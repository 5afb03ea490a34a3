using NoKV.Engine;

namespace NoKV.Tests;

/// <summary>
/// Lookup and readdir positions take raw bytes from a client. A name or position longer than any
/// stored name (a hostile gRPC client is not held to NAME_MAX) must give "no such entry" or an
/// argument error, never "the metadata store failed".
/// </summary>
public sealed class RawNameAttackTests
{
    [Theory]
    [InlineData(256)]
    [InlineData(600)]
    [InlineData(5000)]
    public async Task Lookup_of_an_overlong_name_finds_nothing(int length)
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        await ws.Write("/f", "x");
        var root = ws.Stat("/").Inode;
        var name = Enumerable.Repeat((byte)'a', length).ToArray();
        NodeAttributes? found = null;
        var e = Record.Exception(() => found = t.Store.Queries.Lookup(ws.ViewOf, root, name));
        Assert.True(e is null or ArgumentException or InvalidPathException, $"lookup of a {length}-byte name threw {e?.GetType().Name}: {e?.Message}");
        Assert.Null(found);
    }

    [Theory]
    [InlineData(600)]
    [InlineData(5000)]
    public async Task ReadDirectory_from_an_overlong_position_is_not_a_store_failure(int length)
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        await ws.Write("/a", "x");
        await ws.Write("/b", "x");
        var root = ws.Stat("/").Inode;
        var after = Enumerable.Repeat((byte)'a', length).ToArray();
        DirectoryPage? page = null;
        var e = Record.Exception(() => page = t.Store.Queries.ReadDirectory(ws.ViewOf, root, after, 10));
        Assert.True(e is null or ArgumentException or InvalidPathException, $"readdir after a {length}-byte position threw {e?.GetType().Name}: {e?.Message}");
        if (page is not null) Assert.Equal(["b"], page.Entries.Select(x => x.NameText));
    }

    [Fact]
    public async Task ReadDirectory_from_positions_never_returned_resumes_in_name_order()
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        foreach (var n in new[] { "a", "ab", "b", "c" }) await ws.Write("/" + n, "x");
        var root = ws.Stat("/").Inode;
        string[] After(byte[]? p) => t.Store.Queries.ReadDirectory(ws.ViewOf, root, p, 100).Entries.Select(x => x.NameText).ToArray();
        Assert.Equal(["ab", "b", "c"], After("a"u8.ToArray()));
        Assert.Equal(["ab", "b", "c"], After("aa"u8.ToArray()));   // between entries
        Assert.Equal(["b", "c"], After("ab"u8.ToArray()));
        Assert.Equal(["a", "ab", "b", "c"], After([]));           // empty position
        Assert.Equal(["ab", "b", "c"], After([(byte)'a', 0]));    // NUL sorts right after "a"
        Assert.Equal(["b", "c"], After([(byte)'a', 0xFF]));       // garbage bytes
        Assert.Empty(After([0xFF, 0xFF]));
        ws.Delete("/b");
        Assert.Equal(["c"], After("b"u8.ToArray()));              // a deleted name
    }
}
