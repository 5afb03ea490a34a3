using System.Diagnostics;

namespace NoKV.Tests;

/// <summary>
/// A store whose metadata file is missing, empty or cut short must refuse to open with
/// <see cref="StoreCorruptedException"/>: opening it as a new, empty store would let the next
/// full GC delete every block. Damaged files are opened in a helper process, since a file LMDB
/// maps beyond its end kills the process that touches it (SIGBUS).
/// </summary>
public sealed class DamagedMetadataTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
    }

    private string DataFile => Path.Combine(_directory, "meta", "data.mdb");

    private WorkspaceStoreOptions Options => new() { Directory = _directory, ChunkSize = TempStore.SmallChunk, OrphanGracePeriod = TimeSpan.Zero };

    /// <summary>A closed store holding 30 files of 10 blocks each, and the digest of its content.</summary>
    internal static async Task<string> CreateStoreWithBlocks(WorkspaceStoreOptions options)
    {
        using var store = WorkspaceStore.Open(options);
        var ws = store.CreateWorkspace("/base");
        ws.CreateDirectory("/src");
        for (var i = 0; i < 30; i++) await ws.WriteAllBytesAsync($"/src/f{i}", TestData.Bytes(10 * TempStore.SmallChunk, i));
        await ws.WriteAllBytesAsync("/small", TestData.Text("inline"));
        store.Clone("/base", "/fork");
        return MetadataProbe.Digest(store);
    }

    private List<string> BlockFiles() =>
        [.. Directory.EnumerateFiles(Path.Combine(_directory, "blocks"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    /// <summary>Opens the store and, if that succeeds, runs a full GC: what a user's first maintenance run would do.</summary>
    private NoKVException? OpenAndCollect()
    {
        try
        {
            using var store = WorkspaceStore.Open(Options);
            store.CollectGarbage(GcMode.Full);
            return null;
        }
        catch (NoKVException e)
        {
            return e;
        }
    }

    [Fact]
    public async Task A_zero_length_metadata_file_beside_blocks_is_refused_and_nothing_is_deleted()
    {
        await CreateStoreWithBlocks(Options);
        var blocks = BlockFiles();
        Assert.True(blocks.Count >= 300);
        File.WriteAllBytes(DataFile, []);

        var error = OpenAndCollect();

        Assert.Equal(blocks, BlockFiles());
        Assert.IsType<StoreCorruptedException>(error);
        Assert.Equal(0, new FileInfo(DataFile).Length); // nothing created over the damage
    }

    [Fact]
    public async Task A_missing_metadata_file_beside_blocks_is_refused_and_nothing_is_created()
    {
        await CreateStoreWithBlocks(Options);
        var blocks = BlockFiles();
        File.Delete(DataFile);

        var error = OpenAndCollect();

        Assert.Equal(blocks, BlockFiles());
        Assert.Contains("metadata", Assert.IsType<StoreCorruptedException>(error).Message, StringComparison.Ordinal);
        Assert.False(File.Exists(DataFile));
    }

    [Fact]
    public async Task A_missing_metadata_directory_beside_blocks_is_refused()
    {
        await CreateStoreWithBlocks(Options);
        var blocks = BlockFiles();
        Directory.Delete(Path.Combine(_directory, "meta"), recursive: true);

        Assert.IsType<StoreCorruptedException>(OpenAndCollect());
        Assert.Equal(blocks, BlockFiles());
        Assert.False(Directory.Exists(Path.Combine(_directory, "meta")));
    }

    [Fact]
    public async Task Missing_metadata_of_a_store_without_blocks_is_refused_by_its_identity_file()
    {
        using (var store = WorkspaceStore.Open(Options))
        {
            await store.CreateWorkspace("/w").WriteAllBytesAsync("/inline", TestData.Text("small files live in the metadata"));
        }
        File.Delete(DataFile);

        Assert.IsType<StoreCorruptedException>(OpenAndCollect());
        Assert.False(File.Exists(DataFile));
    }

    [Fact]
    public async Task Metadata_truncated_to_half_is_refused_without_killing_the_process()
    {
        await CreateStoreWithBlocks(Options);
        var blocks = BlockFiles();
        using (var file = new FileStream(DataFile, FileMode.Open)) file.SetLength(file.Length / 2);

        var (exitCode, output) = await Probe(_directory);

        Assert.True(exitCode == 0, $"the probe died with exit code {exitCode}: {output}");
        Assert.StartsWith(nameof(StoreCorruptedException), output, StringComparison.Ordinal);
        Assert.Equal(blocks, BlockFiles());
    }

    [Fact]
    public async Task An_intact_store_opens_in_the_probe_with_the_same_content()
    {
        var digest = await CreateStoreWithBlocks(Options);
        var blocks = BlockFiles();

        var (exitCode, output) = await Probe(_directory);

        Assert.Equal(0, exitCode);
        Assert.Equal($"ok {digest}", output);
        Assert.Equal(blocks, BlockFiles());
    }

    /// <summary>Runs the helper process's probe (open, read everything, full GC) on a store; returns its exit code and output line.</summary>
    internal static async Task<(int ExitCode, string Output)> Probe(string storeDirectory)
    {
        using var helper = CrashTests.StartHelper("probe", storeDirectory, "gc");
        var stdout = helper.StandardOutput.ReadToEndAsync();
        var stderr = helper.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await helper.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            helper.Kill(entireProcessTree: true);
            throw new TimeoutException($"the probe hung: {await stdout} {await stderr}");
        }
        var output = (await stdout).Trim();
        return (helper.ExitCode, output.Length > 0 ? output : (await stderr).Trim());
    }
}
