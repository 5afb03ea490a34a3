using System.Text;
using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Paths;
using NoKV.Streams;

namespace NoKV;

/// <summary>Reads shared by workspaces and snapshots: both are a view (layer chain + root inode).</summary>
public sealed partial class WorkspaceStore
{
    internal NodeInfo StatIn(Func<MetaTxn, View> viewOf, string path)
    {
        var segments = PathRules.Split(path);
        return Read(txn =>
        {
            var (ino, record) = NodeReader.Resolve(txn, viewOf(txn), segments, path);
            return ToNodeInfo(segments.Length == 0 ? "" : segments[^1], PathRules.Join(segments), ino, record);
        });
    }

    internal bool ExistsIn(Func<MetaTxn, View> viewOf, string path) => Read(txn => NodeReader.Find(txn, viewOf(txn), path) is not null);

    internal IReadOnlyList<NodeInfo> ListIn(Func<MetaTxn, View> viewOf, string directoryPath)
    {
        var segments = PathRules.Split(directoryPath, nameof(directoryPath));
        var normalized = PathRules.Join(segments);
        return Read(txn =>
        {
            var view = viewOf(txn);
            var (ino, record) = NodeReader.Resolve(txn, view, segments, directoryPath);
            if (!record.IsDirectory) throw new NotADirectoryException(directoryPath);
            var result = new List<NodeInfo>();
            foreach (var (nameBytes, entry) in NodeReader.Children(txn, view, ino))
            {
                var child = NodeReader.Inode(txn, view, entry.Child)
                    ?? throw new StoreCorruptedException($"Entry in '{directoryPath}' points to missing inode {entry.Child}.");
                var name = Encoding.UTF8.GetString(nameBytes);
                result.Add(ToNodeInfo(name, PathRules.Combine(normalized, name), entry.Child, child));
            }
            result.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return result;
        });
    }

    internal Stream OpenReadIn(Func<MetaTxn, View> viewOf, string path, long snapshotId)
    {
        var segments = PathRules.Split(path);
        var (gen, record, chunks) = LeaseGeneration(txn =>
        {
            var (_, node) = NodeReader.Resolve(txn, viewOf(txn), segments, path);
            return node.IsFile ? node.Generation : throw new NotAFileException(path);
        }, path)!.Value;
        return new NodeReadStream(this, gen, record, chunks, snapshotId);
    }

    /// <summary>
    /// Finds a file's generation in a metadata snapshot and leases it against GC, with its chunk
    /// map; null if <paramref name="find"/> finds no file. If GC condemned the generation between
    /// the snapshot and the lease (the file was overwritten meanwhile), it tries again with fresh
    /// metadata, which shows the new version.
    /// </summary>
    internal (long Gen, GenerationRecord Record, ChunkRecord[] Chunks)? LeaseGeneration(Func<MetaTxn, long?> find, string path)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var found = Read(txn =>
            {
                if (find(txn) is not { } gen) return ((long, GenerationRecord, ChunkRecord[])?)null;
                var record = GenerationTable.Get(txn, gen);
                return (gen, record, GenerationTable.Layout(txn, gen, record));
            });
            if (found is null) return null;
            var leased = found.Value.Item1;
            if (!_leases.TryAcquire(leased)) continue;
            if (Read(txn => GenerationTable.TryGet(txn, leased)) is not null) return found;
            _leases.Release(leased);
        }
        throw new NoKVException($"'{path}' changed too often while being opened; try again.");
    }

    internal async Task<byte[]> ReadAllBytesIn(Func<MetaTxn, View> viewOf, string path, long snapshotId, CancellationToken cancellationToken)
    {
        await using var stream = OpenReadIn(viewOf, path, snapshotId);
        if (stream.Length > Array.MaxLength) throw new NoKVException($"'{path}' is {stream.Length} bytes, too large for one array; use OpenRead.");
        var buffer = new byte[stream.Length];
        await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer;
    }

    internal static NodeInfo ToNodeInfo(string name, string path, long ino, InodeRecord record) => new(
        name, path,
        record.IsDirectory ? NodeKind.Directory : NodeKind.File,
        record.IsFile ? record.Size : 0,
        record.IsFile ? record.Generation : 0,
        ino,
        FromTicks(record.ModifiedUtcTicks));
}
