namespace NoKV.Cli.Tests;

/// <summary>A store whose metadata is lost or damaged: every command refuses it with one clear line and exit code 3, and nothing is deleted.</summary>
public sealed class DamagedStoreTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public void Dispose() => _nokv.Dispose();

    [Fact]
    public void Commands_on_a_store_with_lost_metadata_fail_with_exit_code_3_and_keep_the_blocks()
    {
        var source = Path.Combine(_nokv.Root, "source");
        Directory.CreateDirectory(source);
        File.WriteAllBytes(Path.Combine(source, "weights.bin"), new byte[5 * 1024 * 1024]);
        _nokv.Ok("init");
        _nokv.Ok("import", source, "/base");
        var blocks = Directory.GetFiles(Path.Combine(_nokv.Store, "blocks"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        File.Delete(Path.Combine(_nokv.Store, "meta", "data.mdb"));

        foreach (var command in new[] { new[] { "workspaces" }, ["gc", "--full"] })
        {
            var result = _nokv.Run(command);
            Assert.Equal(3, result.ExitCode);
            var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("nokv: The store's metadata", line, StringComparison.Ordinal);
            Assert.Contains("is missing", line, StringComparison.Ordinal);
        }
        Assert.Equal(blocks, Directory.GetFiles(Path.Combine(_nokv.Store, "blocks"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(Path.Combine(_nokv.Store, "meta", "data.mdb")));
    }
}
