namespace NoKV.Tests;

/// <summary>
/// Listings as async streams read page by page, and cancellation of long operations: a directory
/// or a store larger than a page lists exactly what the one-snapshot list does, entries changed
/// between pages neither repeat nor vanish when they were there throughout, and a cancelled
/// diff or promote throws and changes nothing.
/// </summary>
public sealed class AsyncListingTests : IDisposable
{
    private readonly TempStore _temp = new();
    private readonly string _source = Path.Combine(Path.GetTempPath(), "nokv-tests", Guid.NewGuid().ToString("N"));

    private WorkspaceStore Store => _temp.Store;

    public void Dispose()
    {
        _temp.Dispose();
        if (Directory.Exists(_source)) Directory.Delete(_source, recursive: true);
    }

    /// <summary>A workspace with one directory holding more entries than one page.</summary>
    private async Task<Workspace> WorkspaceWithLargeDirectory(int files)
    {
        Directory.CreateDirectory(_source);
        for (var i = 0; i < files; i++) File.WriteAllBytes(Path.Combine(_source, $"f{i:D5}"), []);
        var ws = Store.CreateWorkspace("/w");
        await ws.ImportAsync(_source, "/big");
        return ws;
    }

    [Fact]
    public async Task A_directory_larger_than_a_page_enumerates_exactly_what_list_returns()
    {
        var ws = await WorkspaceWithLargeDirectory(Engine.NamespaceQueries.PageSize * 2 + 37);
        var listed = ws.List("/big");
        var enumerated = new List<NodeInfo>();
        await foreach (var node in ws.EnumerateAsync("/big")) enumerated.Add(node);
        Assert.Equal(Engine.NamespaceQueries.PageSize * 2 + 37, enumerated.Count);
        Assert.Equal(listed, enumerated);

        var pin = ws.Snapshot();
        ws.Delete("/big", recursive: true);
        var fromSnapshot = new List<NodeInfo>();
        await foreach (var node in pin.EnumerateAsync("/big")) fromSnapshot.Add(node);
        Assert.Equal(listed.Select(n => n.Name), fromSnapshot.Select(n => n.Name));
    }

    [Fact]
    public async Task Entries_changed_between_pages_never_make_others_repeat_or_vanish()
    {
        var ws = await WorkspaceWithLargeDirectory(Engine.NamespaceQueries.PageSize * 2 + 10);
        var seen = new List<string>();
        var changed = false;
        await foreach (var node in ws.EnumerateAsync("/big"))
        {
            seen.Add(node.Name);
            if (seen.Count != Engine.NamespaceQueries.PageSize / 2 || changed) continue;
            // Mid-listing: remove entries already listed and not yet listed, add new ones on both sides.
            changed = true;
            ws.Delete("/big/f00001");
            ws.Delete($"/big/f{Engine.NamespaceQueries.PageSize + 5:D5}");
            await ws.WriteAllBytesAsync("/big/a-new-first", Array.Empty<byte>());
            await ws.WriteAllBytesAsync("/big/z-new-last", Array.Empty<byte>());
        }
        Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());
        var throughout = Enumerable.Range(0, Engine.NamespaceQueries.PageSize * 2 + 10).Select(i => $"f{i:D5}")
            .Where(n => n != "f00001" && n != $"f{Engine.NamespaceQueries.PageSize + 5:D5}");
        Assert.Empty(throughout.Except(seen));
        Assert.Contains("z-new-last", seen); // after the position: seen; "a-new-first" was before it: not required
        Assert.DoesNotContain($"f{Engine.NamespaceQueries.PageSize + 5:D5}", seen);
    }

    [Fact]
    public async Task Enumerating_a_missing_directory_or_a_file_throws_typed()
    {
        var ws = Store.CreateWorkspace("/w");
        await ws.WriteAllBytesAsync("/file", new byte[] { 1 });
        await Assert.ThrowsAsync<PathNotFoundException>(async () => { await foreach (var _ in ws.EnumerateAsync("/missing")) { } });
        await Assert.ThrowsAsync<NotADirectoryException>(async () => { await foreach (var _ in ws.EnumerateAsync("/file")) { } });
    }

    [Fact]
    public async Task Workspaces_and_snapshots_enumerate_like_their_lists_across_pages()
    {
        for (var i = 0; i < Engine.NamespaceQueries.PageSize + 3; i++) Store.CreateWorkspace($"/w{i:D5}");
        for (var i = 0; i < 5; i++) Store.Snapshot($"/w{i:D5}");
        var workspaces = new List<WorkspaceInfo>();
        await foreach (var info in Store.EnumerateWorkspacesAsync()) workspaces.Add(info);
        Assert.Equal(Store.ListWorkspaces(), workspaces);
        var snapshots = new List<long>();
        await foreach (var pin in Store.EnumerateSnapshotsAsync()) snapshots.Add(pin.Id);
        Assert.Equal(Store.ListSnapshots().Select(p => p.Id), snapshots);
    }

    [Fact]
    public async Task A_cancelled_diff_or_promote_throws_and_changes_nothing()
    {
        var ws = Store.CreateWorkspace("/base");
        await ws.WriteAllBytesAsync("/a", new byte[] { 1 });
        var fork = Store.Clone("/base", "/fork").Workspace;
        await fork.WriteAllBytesAsync("/b", new byte[] { 2 });
        var snapshotsBefore = Store.ListSnapshots().Count; // the clone's own
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.ThrowsAny<OperationCanceledException>(() => Store.Diff("/base", "/fork", cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => Store.Promote("/fork", "/base", null, cancelled.Token));
        Assert.False(ws.Exists("/b"));
        Assert.Equal(snapshotsBefore, Store.ListSnapshots().Count); // a promote snapshots the target first: not this one
        Assert.Single(Store.Diff("/base", "/fork"));
    }
}
