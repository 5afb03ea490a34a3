using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Verify;

/// <summary>
/// The metadata half of Verify, in one read snapshot: the layer tree, every live view's tree
/// (workspace heads and snapshots), reference counts, and which inode versions nothing reaches.
/// Also collects the blocks to check, with where each file shows, for the block half.
/// </summary>
internal sealed class MetadataChecker(MetaTxn txn)
{
    public List<StoreProblem> Problems { get; } = [];
    public List<(string Key, ChunkRecord Chunk, string Where, string Path)> Blocks { get; } = [];

    /// <summary>For each block in <see cref="Blocks"/>, every generation live in this snapshot that uses it (minter or borrower).</summary>
    public Dictionary<string, List<long>> LiveUsers { get; } = new(StringComparer.Ordinal);
    public long Views { get; private set; }
    public long Generations { get; private set; }

    private readonly Dictionary<long, (string Where, string Path)> _fileOf = [];
    private readonly HashSet<(long Ino, long Layer)> _reached = [];

    public void Run()
    {
        CheckLayers();
        foreach (var (key, value) in txn.Scan(Db.Workspaces, []))
        {
            var ws = WorkspaceRecord.Decode(value);
            WalkView(System.Text.Encoding.UTF8.GetString(key), ws.HeadLayer, ws.RootInode);
        }
        foreach (var (key, value) in txn.Scan(Db.Pins, []))
        {
            var pin = PinRecord.Decode(value);
            if (LayerTable.TryGet(txn, pin.Layer) is null) continue; // reported by CheckLayers
            // A snapshot of a directory needs nothing outside it, and GC reclaims what lies
            // outside once no whole-workspace view shows it: walk from the snapshot's own root.
            WalkView("@" + Keys.ReadU64(key), pin.Layer, pin.RootInode);
        }
        CheckUnreachableInodes();
        CheckGenerations();
    }

    private void Problem(StoreProblemKind kind, string description, string? where = null, string? path = null) =>
        Problems.Add(new StoreProblem(kind, description) { Where = where, Path = path });

    private void CheckLayers()
    {
        var pinsPerLayer = txn.Scan(Db.Pins, []).Select(e => PinRecord.Decode(e.Value).Layer).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        foreach (var (key, value) in txn.Scan(Db.Layers, []))
        {
            var id = Keys.ReadU64(key);
            var layer = LayerRecord.Decode(value);
            if (layer.Parent != 0 && LayerTable.TryGet(txn, layer.Parent) is null)
                Problem(StoreProblemKind.BrokenLayerChain, $"Layer {id} names missing parent {layer.Parent}.");
            if (layer.Parent >= id)
                Problem(StoreProblemKind.BrokenLayerChain, $"Layer {id} has parent {layer.Parent}, which is not older; the chain may loop.");
            var children = txn.Scan(Db.LayerChildren, Keys.U64(id)).Count();
            if (children != layer.ChildCount)
                Problem(StoreProblemKind.BrokenLayerChain, $"Layer {id} counts {layer.ChildCount} children but has {children}.");
            if (pinsPerLayer.GetValueOrDefault(id) != layer.PinCount)
                Problem(StoreProblemKind.BrokenLayerChain, $"Layer {id} counts {layer.PinCount} pins but {pinsPerLayer.GetValueOrDefault(id)} snapshots use it.");
            var records = txn.Scan(Db.LayerIndex, Keys.U64(id)).LongCount();
            if (records != layer.RecordCount)
                Problem(StoreProblemKind.BrokenLayerChain, $"Layer {id} counts {layer.RecordCount} records but indexes {records}.");
        }
        foreach (var (key, _) in txn.Scan(Db.LayerChildren, []))
        {
            var (parent, child) = (Keys.ReadU64(key), Keys.ReadU64(key, 8));
            if (LayerTable.TryGet(txn, child)?.Parent != parent)
                Problem(StoreProblemKind.BrokenLayerChain, $"Layer {child} is listed as a child of {parent} but does not name it as parent.");
        }
        foreach (var (key, value) in txn.Scan(Db.Workspaces, []))
        {
            var ws = WorkspaceRecord.Decode(value);
            var path = System.Text.Encoding.UTF8.GetString(key);
            if (LayerTable.TryGet(txn, ws.HeadLayer)?.HeadOf != ws.Id)
                Problem(StoreProblemKind.BrokenLayerChain, $"Workspace '{path}' head layer {ws.HeadLayer} is missing or not marked as its head.", path);
        }
        foreach (var (key, value) in txn.Scan(Db.Pins, []))
        {
            var pin = PinRecord.Decode(value);
            if (LayerTable.TryGet(txn, pin.Layer) is null)
                Problem(StoreProblemKind.BrokenLayerChain, $"Snapshot {Keys.ReadU64(key)} uses missing layer {pin.Layer}.", "@" + Keys.ReadU64(key));
        }
    }

    private void WalkView(string where, long layer, long root)
    {
        Views++;
        var view = LayerTable.ViewOf(txn, layer, root);
        if (NodeReader.Inode(txn, view, root) is null)
        {
            Problem(StoreProblemKind.DanglingEntry, $"The root of {where} (inode {root}) is missing.", where, "/");
            return;
        }
        var pending = new Stack<(string Path, long Ino)>();
        pending.Push(("/", root));
        while (pending.TryPop(out var node))
        {
            var (versionLayer, record) = NodeReader.InodeVersion(txn, view, node.Ino)!.Value;
            _reached.Add((node.Ino, versionLayer));
            if (record.IsFile) _fileOf.TryAdd(record.Generation, (where, node.Path));
            if (!record.IsDirectory)
            {
                if (NodeReader.HasChildren(txn, view, node.Ino))
                    Problem(StoreProblemKind.MismatchedEntry, $"'{node.Path}' in {where} is a {record.Kind} but has directory entries.", where, node.Path);
                continue;
            }
            foreach (var (name, entry) in NodeReader.Children(txn, view, node.Ino))
            {
                var path = Paths.PathRules.Combine(node.Path, System.Text.Encoding.UTF8.GetString(name));
                if (NodeReader.Inode(txn, view, entry.Child) is not { } child)
                {
                    Problem(StoreProblemKind.DanglingEntry, $"'{path}' in {where} points to missing inode {entry.Child}.", where, path);
                    continue;
                }
                if (child.Kind != entry.Kind)
                    Problem(StoreProblemKind.MismatchedEntry, $"'{path}' in {where} is listed as a {entry.Kind} but inode {entry.Child} is a {child.Kind}.", where, path);
                pending.Push((path, entry.Child));
            }
        }
    }

    private void CheckUnreachableInodes()
    {
        // Versions GC already knows about are pending garbage, not problems: shadowed versions it
        // queued (not those it parked: a live view needs them), and anything in a queued layer or its ancestors (deleting a dead layer can make
        // its parent dead or mergeable in turn, which frees what it held).
        var queuedLayers = new HashSet<long>();
        foreach (var (key, _) in txn.Scan(Db.GcLayers, []))
        {
            var id = Keys.ReadU64(key);
            if (LayerTable.TryGet(txn, id) is null) continue;
            queuedLayers.UnionWith(LayerTable.Chain(txn, id));
        }
        var queuedVersions = txn.Scan(Db.GcShadowed, []).Where(e => Gc.ShadowQueue.IsQueuedEntry(e.Key)).Select(e => Convert.ToHexString(e.Key)).ToHashSet();
        foreach (var (key, value) in txn.Scan(Db.Inodes, []))
        {
            var (ino, layer) = (Keys.InodeIno(key), Keys.InodeLayer(key));
            if (InodeRecord.Decode(value).Kind == RecordKind.Tombstone || _reached.Contains((ino, layer))) continue;
            if (queuedLayers.Contains(layer) || queuedVersions.Contains(Convert.ToHexString(Keys.LayerIndex(layer, Keys.IndexInode, key)))) continue;
            Problem(StoreProblemKind.UnreachableInode, $"Inode {ino} in layer {layer} is reachable from no workspace or snapshot.");
        }
    }

    private void CheckGenerations()
    {
        var references = new Dictionary<long, long>();
        foreach (var (_, value) in txn.Scan(Db.Inodes, []))
        {
            var record = InodeRecord.Decode(value);
            if (record.IsFile) references[record.Generation] = references.GetValueOrDefault(record.Generation) + 1;
        }
        foreach (var (gen, count) in references)
        {
            if (GenerationTable.TryGet(txn, gen) is null)
                Problem(StoreProblemKind.BrokenGeneration, $"Generation {gen} is referenced {count} times but missing.", _fileOf.GetValueOrDefault(gen).Where, _fileOf.GetValueOrDefault(gen).Path);
        }
        var queued = txn.Scan(Db.GcGenerations, []).Select(e => Keys.ReadU64(e.Key)).ToHashSet();
        foreach (var (key, value) in txn.Scan(Db.Generations, []))
        {
            Generations++;
            var gen = Keys.ReadU64(key);
            var record = GenerationRecord.Decode(value);
            var (where, path) = _fileOf.GetValueOrDefault(gen);
            var actual = references.GetValueOrDefault(gen);
            if (record.RefCount != actual)
                Problem(StoreProblemKind.BrokenGeneration, $"Generation {gen} counts {record.RefCount} references but {actual} records name it.", where, path);
            if (actual == 0 && !queued.Contains(gen))
                Problem(StoreProblemKind.BrokenGeneration, $"Generation {gen} is unreferenced but not queued for GC (its blocks would leak).", where, path);
            for (var i = 0; i < record.ChunkCount; i++)
            {
                var chunk = txn.Get(Db.Chunks, Keys.Chunk(gen, i));
                if (chunk is null)
                {
                    Problem(StoreProblemKind.BrokenGeneration, $"Chunk {i} of generation {gen} has no record.", where, path);
                    continue;
                }
                var decoded = ChunkRecord.Decode(chunk);
                // Readers locate bytes by the layout (GenerationTable.Layout refuses a chunk that
                // breaks it); a zero or inline chunk has no block read that would notice.
                var layout = i < record.ChunkCount - 1 ? record.ChunkSize : record.Size - (long)i * record.ChunkSize;
                if (decoded.Length != layout)
                    Problem(StoreProblemKind.BrokenGeneration, $"Chunk {i} of generation {gen} records {decoded.Length} bytes where its layout needs {layout}.", where, path);
                if (!decoded.HasBlock)
                {
                    // No block to find: an inline chunk's bytes are checked here, a zero chunk has none.
                    if (decoded.Storage == ChunkStorage.Inline && NoKV.Blocks.ChunkChecksum.Mismatch(decoded, decoded.Data) is { } mismatch)
                        Problem(StoreProblemKind.BlockCorrupted, $"Inline chunk {i} of generation {gen} is damaged: {mismatch}.", where, path);
                    continue;
                }
                var users = _blockUsers.GetValueOrDefault(decoded.BlockKey);
                _blockUsers[decoded.BlockKey] = users + 1;
                // A generation nothing references is queued for GC, which deletes its blocks
                // before its records: its blocks may already be gone, rightly. Only blocks a live
                // generation uses must be there.
                if (actual > 0 && _checked.Add(decoded.BlockKey)) Blocks.Add((decoded.BlockKey, decoded, where ?? $"generation {gen}", path ?? ""));
                if (actual > 0) (LiveUsers.TryGetValue(decoded.BlockKey, out var live) ? live : LiveUsers[decoded.BlockKey] = []).Add(gen);
                if (users > 0 && (_firstUse[decoded.BlockKey].Checksum != decoded.Checksum || _firstUse[decoded.BlockKey].Length != decoded.Length))
                    Problem(StoreProblemKind.BrokenGeneration, $"Generations disagree on the length or checksum of block '{decoded.BlockKey}'.", where, path);
                _firstUse.TryAdd(decoded.BlockKey, decoded);
            }
        }
        CheckBlockReferenceCounts();
    }

    private readonly Dictionary<string, long> _blockUsers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _checked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChunkRecord> _firstUse = new(StringComparer.Ordinal);

    private void CheckBlockReferenceCounts()
    {
        foreach (var (key, chunk) in _firstUse)
        {
            var recorded = NoKV.Blocks.BlockRefTable.Count(txn, chunk);
            var actual = _blockUsers[key];
            if (recorded != actual)
                Problem(StoreProblemKind.BrokenGeneration, $"Block '{key}' counts {recorded} users but {actual} generations use it.");
        }
        var used = _firstUse.Values.Select(c => (c.BlockGen, c.BlockIndex)).ToHashSet();
        foreach (var (key, _) in txn.Scan(Db.BlockRefs, []))
        {
            var (gen, index) = (Keys.ReadU64(key), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(key.AsSpan(8)));
            if (!used.Contains((gen, index)))
                Problem(StoreProblemKind.BrokenGeneration, $"A reference count remains for chunk {index} of generation {gen}, which no generation uses.");
        }
    }
}
