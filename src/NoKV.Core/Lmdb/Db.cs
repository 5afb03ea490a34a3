namespace NoKV.Lmdb;

/// <summary>The named LMDB databases of a store. Every key is big-endian so cursors scan in order.</summary>
internal enum Db
{
    /// <summary>Format version and counters.</summary>
    Meta,
    /// <summary>workspace path (UTF-8) → <see cref="WorkspaceRecord"/>.</summary>
    Workspaces,
    /// <summary>layer id → <see cref="LayerRecord"/>.</summary>
    Layers,
    /// <summary>(parent layer, child layer) → empty: the tree's edges, so GC can find a layer's only child.</summary>
    LayerChildren,
    /// <summary>pin id → <see cref="PinRecord"/>.</summary>
    Pins,
    /// <summary>(workspace id, pin id) → empty: the pins taken of each workspace.</summary>
    PinsByWorkspace,
    /// <summary>(ino, ~layer) → <see cref="InodeRecord"/>, versioned by layer.</summary>
    Inodes,
    /// <summary>(parent ino, name, 0, ~layer) → <see cref="DentryRecord"/>, versioned by layer.</summary>
    Dentries,
    /// <summary>(layer, record type, record key) → empty: what each layer wrote (diff, GC, merge).</summary>
    LayerIndex,
    /// <summary>gen → <see cref="GenerationRecord"/>: a file version, its reference count and blocks.</summary>
    Generations,
    /// <summary>(gen, chunk index) → <see cref="ChunkRecord"/>: immutable once published.</summary>
    Chunks,
    /// <summary>(minting gen, chunk index) → count: how many generations use a block, once more than its minter does (absent means one).</summary>
    BlockRefs,
    /// <summary>gen → <see cref="PendingRecord"/>: write sessions that have uploaded blocks but not published (yet).</summary>
    PendingGenerations,
    /// <summary>gen → empty: generations nothing references any more; their blocks are due for deletion.</summary>
    GcGenerations,
    /// <summary>layer id → empty: layers that may have become dead or mergeable.</summary>
    GcLayers,
    /// <summary>(layer, record type, record key) → empty: versions a descendant's write shadowed; dead if no live descendant still sees them.</summary>
    GcShadowed,
}
