using System.Runtime.CompilerServices;
using System.Text;
using NoKV.Lmdb;

namespace NoKV;

/// <summary>Listings that can be large, as async streams read page by page.</summary>
public sealed partial class WorkspaceStore
{
    /// <summary>
    /// All workspaces, in path order, read a page at a time (memory stays bounded however many
    /// there are). A workspace present for the whole enumeration is listed exactly once.
    /// </summary>
    public IAsyncEnumerable<WorkspaceInfo> EnumerateWorkspacesAsync(CancellationToken cancellationToken = default) =>
        ScanPagesAsync(Db.Workspaces, [], (_, entry) =>
        {
            var ws = WorkspaceRecord.Decode(entry.Value);
            return new WorkspaceInfo(Encoding.UTF8.GetString(entry.Key), ws.RootInode, ws.Id, FromTicks(ws.CreatedUtcTicks));
        }, cancellationToken);

    /// <summary>Every unreleased snapshot in the store, oldest first, read a page at a time; see <see cref="ListSnapshots()"/>.</summary>
    public IAsyncEnumerable<SnapshotPin> EnumerateSnapshotsAsync(CancellationToken cancellationToken = default) =>
        ScanPagesAsync(Db.Pins, [], (_, entry) => ToPin(Keys.ReadU64(entry.Key), PinRecord.Decode(entry.Value)), cancellationToken);

    /// <summary>
    /// Reads the entries of <paramref name="db"/> under <paramref name="prefix"/> in key order, one
    /// metadata snapshot per page; each page resumes just after the last key of the one before.
    /// </summary>
    private async IAsyncEnumerable<T> ScanPagesAsync<T>(Db db, byte[] prefix, Func<MetaTxn, KeyValuePair<byte[], byte[]>, T> map,
        [EnumeratorCancellation] CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        byte[]? from = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = from;
            var (page, last) = Read(txn =>
            {
                var items = new List<T>();
                byte[]? lastKey = null;
                foreach (var entry in txn.Scan(db, prefix, start))
                {
                    if (items.Count == Engine.NamespaceQueries.PageSize) break;
                    items.Add(map(txn, entry));
                    lastKey = entry.Key;
                }
                return (items, lastKey);
            }, operation);
            foreach (var item in page) yield return item;
            if (last is null || page.Count < Engine.NamespaceQueries.PageSize) yield break;
            from = [.. last, 0]; // the smallest key after the last one read
            await Task.Yield();
        }
    }
}
