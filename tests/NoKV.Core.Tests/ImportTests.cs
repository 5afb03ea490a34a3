namespace NoKV.Tests;

public sealed class ImportTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly string _source = Path.Combine(Path.GetTempPath(), "nokv-import-" + Guid.NewGuid().ToString("N"));

    public ImportTests() => Directory.CreateDirectory(_source);

    public void Dispose()
    {
        _temp.Dispose();
        Directory.Delete(_source, recursive: true);
    }

    [Fact]
    public async Task Import_copies_a_real_tree_byte_for_byte_across_batches()
    {
        for (var i = 0; i < 2500; i++)
        {
            var dir = Path.Combine(_source, $"d{i % 7}");
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, $"f{i}"), TestData.Bytes(i % 50, i));
        }
        var big = TestData.Bytes(3 * TempStore.SmallChunk + 5, 99);
        File.WriteAllBytes(Path.Combine(_source, "big.bin"), big);
        Directory.CreateDirectory(Path.Combine(_source, "empty", "dir"));

        var ws = _temp.Store.CreateWorkspace("/base");
        var result = await ws.ImportAsync(_source, "/imported");

        Assert.Equal(2501, result.Files);
        Assert.Equal(9, result.Directories);
        Assert.Equal(big, await ws.ReadAllBytesAsync("/imported/big.bin"));
        Assert.Equal(TestData.Bytes(1234 % 50, 1234), await ws.ReadAllBytesAsync("/imported/d2/f1234"));
        Assert.True(ws.Stat("/imported/empty/dir").Kind == NodeKind.Directory);
        Assert.Equal(2500 / 7 + 1, ws.List("/imported/d0").Count);
    }

    [Fact]
    public async Task Symbolic_links_are_never_followed()
    {
        var outside = Path.Combine(_source + "-outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret"), "secret");
        try
        {
            File.WriteAllText(Path.Combine(_source, "real"), "real");
            Directory.CreateSymbolicLink(Path.Combine(_source, "link-dir"), outside);
            File.CreateSymbolicLink(Path.Combine(_source, "link-file"), Path.Combine(outside, "secret"));

            var ws = _temp.Store.CreateWorkspace("/base");
            var result = await ws.ImportAsync(_source);

            // Stored as links (issue 14), never followed: nothing of the outside tree came in.
            Assert.Empty(result.SkippedLinks);
            Assert.Equal((1, 2), (result.Files, result.Links));
            Assert.Equal(["link-dir", "link-file", "real"], ws.List("/").Select(n => n.Name));
            Assert.All(ws.List("/").Where(n => n.Name != "real"), n => Assert.Equal(NodeKind.SymbolicLink, n.Kind));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task Missing_source_is_a_clear_error()
    {
        var ws = _temp.Store.CreateWorkspace("/base");
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => ws.ImportAsync(_source + "-missing"));
        Assert.Empty(ws.List("/"));
    }
}
