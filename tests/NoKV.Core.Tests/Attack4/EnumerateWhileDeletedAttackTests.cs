using NoKV.Engine;

namespace NoKV.Tests;

/// <summary>Listings by inode and by path whose directory is deleted (or replaced) between pages.</summary>
public sealed class EnumerateWhileDeletedAttackTests
{
    [Fact]
    public async Task An_enumeration_whose_directory_is_deleted_between_pages_stops_with_PathNotFound()
    {
        using var t = new TempStore();
        var ws = t.Store.CreateWorkspace("/w");
        ws.CreateDirectory("/d");
        var d = ws.Stat("/d").Inode;
        var root = ws.Stat("/").Inode;
        for (var i = 0; i < NamespaceQueries.PageSize + 5; i++) t.Store.Mutations.CreateFile(ws.Ref, d, $"f{i:D5}");
        var seen = 0;
        var e = await Record.ExceptionAsync(async () =>
        {
            await foreach (var _ in ws.EnumerateAsync("/d"))
            {
                if (++seen == 1)
                {
                    ws.Delete("/d", recursive: true);
                    ws.CreateDirectory("/d"); // a new directory at the same path must not be listed as the old one's rest
                    t.Store.Mutations.CreateFile(ws.Ref, ws.Stat("/d").Inode, "zzz");
                }
            }
        });
        Assert.True(e is PathNotFoundException, $"after {seen} entries: {e?.GetType().Name ?? "completed"}");
        Assert.Equal(NamespaceQueries.PageSize, seen);
        Assert.Throws<PathNotFoundException>(() => t.Store.Queries.ReadDirectory(ws.ViewOf, d, null, 10));
        Assert.Throws<PathNotFoundException>(() => t.Store.Queries.Lookup(ws.ViewOf, d, "f00001"u8));
        Assert.Throws<PathNotFoundException>(() => t.Store.Queries.GetAttributes(ws.ViewOf, d));
        Assert.Throws<PathNotFoundException>(() => t.Store.Mutations.CreateFile(ws.Ref, d, "x"));
        Assert.Throws<PathNotFoundException>(() => t.Store.Mutations.SetAttributes(ws.Ref, d, new NoKV.Engine.AttributeChange(ModifiedUtcTicks: DateTime.UtcNow.Ticks)));
        Assert.Throws<NotAFileException>(() => t.Store.Content.OpenRead(ws.ViewOf, root, 0));
        foreach (var bad in new long[] { 0, -1, long.MaxValue, long.MinValue })
        {
            Assert.Throws<PathNotFoundException>(() => t.Store.Queries.GetAttributes(ws.ViewOf, bad));
            await Assert.ThrowsAsync<PathNotFoundException>(() => t.Store.Content.WriteAt(ws.Ref, bad, 0, new byte[1], CancellationToken.None));
            await Assert.ThrowsAsync<PathNotFoundException>(() => t.Store.Content.Truncate(ws.Ref, bad, 0, CancellationToken.None));
        }
        Assert.Empty(t.Store.Verify().Problems);
    }
}
