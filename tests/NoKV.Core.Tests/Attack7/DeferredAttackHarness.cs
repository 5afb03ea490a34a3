namespace NoKV.Tests;

/// <summary>
/// Deferred stores in temporary directories for the attack7 suites: opening with a chosen flush
/// interval, crash images (what a killed process leaves: the committed metadata file, the
/// identity file and the blocks), and reading a workspace's whole tree of files.
/// </summary>
internal sealed class DeferredAttackHarness : IDisposable
{
    private readonly List<string> _directories = [];
    private readonly List<WorkspaceStore> _opened = [];

    public string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));
        _directories.Add(directory);
        return directory;
    }

    public static WorkspaceStoreOptions Options(string directory, TimeSpan flushInterval, int inlineThreshold = 0) => new()
    {
        Directory = directory,
        ChunkSize = TempStore.SmallChunk,
        InlineThreshold = inlineThreshold,
        Durability = Durability.Deferred,
        FlushInterval = flushInterval,
        OrphanGracePeriod = TimeSpan.Zero,
    };

    public static WorkspaceStore OpenDeferred(string directory, TimeSpan flushInterval, int inlineThreshold = 0) =>
        WorkspaceStore.Open(Options(directory, flushInterval, inlineThreshold));

    /// <summary>Opens (per operation) a copy of the store's files as a killed process would leave them; disposed with the harness.</summary>
    public WorkspaceStore OpenCrashImage(string storeDirectory)
    {
        var image = NewDirectory();
        CrashImage.Take(storeDirectory, image);
        var store = WorkspaceStore.Open(new WorkspaceStoreOptions { Directory = image, ChunkSize = TempStore.SmallChunk, OrphanGracePeriod = TimeSpan.Zero });
        _opened.Add(store);
        return store;
    }

    /// <summary>Every file (recursively) of a workspace with its bytes; empty if the workspace does not exist.</summary>
    public static Dictionary<string, byte[]> Files(WorkspaceStore store, string workspace)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (!store.WorkspaceExists(workspace)) return files;
        var ws = store.OpenWorkspace(workspace);
        var pending = new Stack<string>();
        pending.Push("/");
        while (pending.Count > 0)
        {
            foreach (var node in ws.List(pending.Pop()))
            {
                if (node.Kind == NodeKind.Directory) pending.Push(node.Path);
                else if (node.Kind == NodeKind.File) files[node.Path] = ws.ReadAllBytesAsync(node.Path).GetAwaiter().GetResult();
            }
        }
        return files;
    }

    /// <summary>
    /// True for the ways a failed batch commit may be reported: the commit's own failure
    /// (IOException here) or a NoKV exception wrapping it (a store that refuses changes after a
    /// failed commit reports that with the first failure inside).
    /// </summary>
    public static bool IsLostBatch(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is IOException) return true;
        }
        return false;
    }

    public static string Describe(Dictionary<string, byte[]> files) =>
        "[" + string.Join(", ", files.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{kv.Value.Length}")) + "]";

    public static bool Same(Dictionary<string, byte[]> a, Dictionary<string, byte[]> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var bytes) && bytes.AsSpan().SequenceEqual(kv.Value));

    public void Dispose()
    {
        foreach (var store in _opened) store.Dispose();
        foreach (var directory in _directories)
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
