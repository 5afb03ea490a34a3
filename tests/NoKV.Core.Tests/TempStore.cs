namespace NoKV.Tests;

/// <summary>A real store (LMDB + local block files) in a fresh temporary directory, deleted afterwards.</summary>
public sealed class TempStore : IDisposable
{
    public const int SmallChunk = 4096;

    private readonly Func<string, IBlockStore>? _blocks;

    /// <param name="chunkSize">The store's chunk size (small by default, so files span chunks).</param>
    /// <param name="blocks">Builds the block store for a store directory; null for local blocks.</param>
    /// <param name="inlineThreshold">
    /// Files (and last chunks) up to this size are kept in the metadata. 0 by default, so tests
    /// that count blocks see one per chunk; the model-based and fault suites pass
    /// <see cref="ProductInline"/> to run with inline chunks as the product does.
    /// </param>
    /// <param name="durability">When metadata changes become durable (per operation by default; the deferred suites pass <see cref="Durability.Deferred"/>).</param>
    /// <param name="clock">The store's clock for expiry (by default a <see cref="ManualClock"/> that moves only when a test moves it).</param>
    public TempStore(int chunkSize = SmallChunk, Func<string, IBlockStore>? blocks = null, int inlineThreshold = 0, Durability durability = Durability.PerOperation, TimeProvider? clock = null)
    {
        Durability = durability;
        Clock = clock ?? new ManualClock();
        Directory = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));
        ChunkSize = chunkSize;
        InlineThreshold = inlineThreshold;
        _blocks = blocks;
        BlockStore = blocks?.Invoke(Directory);
        Store = Open();
    }

    /// <summary>The block store, when not the default local one.</summary>
    public IBlockStore? BlockStore { get; }

    /// <summary>The product's default inline threshold (16 KiB; with the small test chunk it makes every last chunk inline).</summary>
    public static int ProductInline => new WorkspaceStoreOptions().InlineThreshold;

    public string Directory { get; }
    public int ChunkSize { get; }
    public int InlineThreshold { get; }
    public Durability Durability { get; }
    public TimeProvider Clock { get; }
    public WorkspaceStore Store { get; private set; }
    public string BlocksDirectory => Path.Combine(Directory, "blocks");

    public WorkspaceStore Open() => WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = Directory, ChunkSize = ChunkSize, InlineThreshold = InlineThreshold, Durability = Durability, OrphanGracePeriod = TimeSpan.Zero, BlockStore = BlockStore, TimeProvider = Clock });

    /// <summary>The keys of every block in the block store, whichever it is.</summary>
    public List<string> BlockKeys()
    {
        var keys = new List<string>();
        var e = Store.Blocks.ListAsync("").GetAsyncEnumerator();
        try
        {
            while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult()) keys.Add(e.Current.Key);
        }
        finally
        {
            e.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>Closes and reopens the store, as a restarted process would.</summary>
    public WorkspaceStore Reopen()
    {
        Store.Dispose();
        Store = Open();
        return Store;
    }

    /// <summary>The block files on disk (not temporary files).</summary>
    public List<string> BlockFiles() => System.IO.Directory.Exists(BlocksDirectory)
        ? System.IO.Directory.EnumerateFiles(BlocksDirectory, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith(".tmp-", StringComparison.Ordinal)).ToList()
        : [];

    public void Dispose()
    {
        Store.Dispose();
        (BlockStore as IDisposable)?.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}

internal static class TestData
{
    public static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static byte[] Text(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    public static async Task Write(this Workspace ws, string path, string text) => await ws.WriteAllBytesAsync(path, Text(text));

    public static async Task<string> ReadText(this Workspace ws, string path) => System.Text.Encoding.UTF8.GetString(await ws.ReadAllBytesAsync(path));

    public static async Task<string> ReadText(this SnapshotPin pin, string path) => System.Text.Encoding.UTF8.GetString(await pin.ReadAllBytesAsync(path));

    /// <summary>Every file under a directory with its bytes, as a sorted map of path → content.</summary>
    public static async Task<SortedDictionary<string, string>> Tree(Func<string, IReadOnlyList<NodeInfo>> list, Func<string, Task<byte[]>> read, string dir = "/")
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in list(dir))
        {
            if (node.Kind == NodeKind.Directory)
            {
                result[node.Path + "/"] = "";
                foreach (var (k, v) in await Tree(list, read, node.Path)) result[k] = v;
            }
            else if (node.Kind == NodeKind.SymbolicLink)
            {
                result[node.Path] = "-> " + node.LinkTarget;
            }
            else
            {
                result[node.Path] = Convert.ToHexString(await read(node.Path));
            }
        }
        return result;
    }

    public static Task<SortedDictionary<string, string>> Tree(this Workspace ws) => Tree(ws.List, p => ws.ReadAllBytesAsync(p));

    public static Task<SortedDictionary<string, string>> Tree(this SnapshotPin pin) => Tree(pin.List, p => pin.ReadAllBytesAsync(p));
}
