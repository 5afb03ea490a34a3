namespace NoKV.Benchmarks;

/// <summary>Builds the synthetic base trees benchmarks measure against.</summary>
internal static class BaseTrees
{
    /// <summary>
    /// A store whose workspace "/base" holds <paramref name="files"/> small files. Blocks go to a
    /// non-durable local store: these benchmarks are about metadata scale, and 100k fsyncs of
    /// 40-byte blocks would only measure the disk.
    /// </summary>
    public static async Task<WorkspaceStore> ImportAsync(string root, int files)
    {
        var source = Path.Combine(root, "source");
        if (!Directory.Exists(source)) TreeGenerator.Write(source, files);
        var store = WorkspaceStore.Open(new WorkspaceStoreOptions
        {
            Directory = Path.Combine(root, "store"),
            BlockStore = new LocalBlockStore(Path.Combine(root, "store", "blocks"), durable: false),
        });
        if (!store.WorkspaceExists("/base")) await store.CreateWorkspace("/base").ImportAsync(source);
        return store;
    }
}
