using NoKV.Layers;
using NoKV.Lmdb;
using NoKV.Streams;

namespace NoKV.Engine;

/// <summary>
/// One version of a file held open by a front end (a mounted file's open handles): leased
/// against GC until disposed, readable at any offset, and the basis a <see cref="ChunkPatch"/>
/// builds the next version from. Reads are serialised: one reader keeps the chunk it last loaded,
/// so sequential reads of any size load each chunk once.
/// </summary>
internal sealed class OpenVersion : IAsyncDisposable
{
    private readonly NodeReadStream _reader; // holds the lease on the generation
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _disposed;

    private OpenVersion(NodeReadStream reader, long gen, GenerationRecord record, ChunkRecord[] chunks, int chunkSize)
    {
        _reader = reader;
        Generation = gen;
        Record = record;
        Chunks = chunks;
        ChunkSize = chunkSize;
    }

    /// <summary>The generation this version is.</summary>
    public long Generation { get; }

    /// <summary>Its length in bytes.</summary>
    public long Size => Record.Size;

    /// <summary>The chunk size its layout uses (and a version made from it keeps).</summary>
    public int ChunkSize { get; }

    internal GenerationRecord Record { get; }

    internal ChunkRecord[] Chunks { get; }

    /// <summary>
    /// Leases the version of file <paramref name="ino"/> that the view shows now. If GC condemned
    /// it between the metadata read and the lease (it was just overwritten), reads again.
    /// </summary>
    /// <exception cref="PathNotFoundException">The inode is not in the view.</exception>
    /// <exception cref="NotAFileException">The inode is not a file.</exception>
    public static OpenVersion Open(WorkspaceStore store, Func<MetaTxn, View> viewOf, long ino, long snapshotId)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var (gen, record, chunks) = store.Read(txn =>
            {
                var node = NamespaceTree.Node(txn, viewOf(txn), ino);
                if (!node.IsFile) throw new NotAFileException($"inode {ino}", NodeAttributes.KindOf(node.Kind));
                var generation = GenerationTable.Get(txn, node.Generation);
                return (node.Generation, generation, GenerationTable.Layout(txn, node.Generation, generation));
            });
            if (!store.Leases.TryAcquire(gen)) continue;
            if (store.Read(txn => GenerationTable.TryGet(txn, gen)) is null)
            {
                store.Leases.Release(gen);
                continue;
            }
            var chunkSize = record.ChunkSize > 0 ? record.ChunkSize : store.ChunkSize;
            return new OpenVersion(new NodeReadStream(store, gen, record, chunks, snapshotId), gen, record, chunks, chunkSize);
        }
        throw new NoKVException($"inode {ino} changed too often while being opened; try again.");
    }

    /// <summary>
    /// Reads up to <paramref name="destination"/>'s length from <paramref name="offset"/>; returns
    /// fewer bytes only at the end of the version. Every chunk is checksum-verified before use.
    /// </summary>
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            _reader.Position = offset;
            var total = 0;
            while (total < destination.Length)
            {
                var n = await _reader.ReadAsync(destination[total..], cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                total += n;
            }
            return total;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the lease: GC may reclaim the version once nothing else reaches it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _reader.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
