namespace NoKV.Layers;

/// <summary>
/// What one read sees: a layer and its ancestors (leaf first; ids strictly decrease toward the
/// base because a child is always created after its parent), seen from one directory inode.
/// </summary>
internal sealed class View
{
    public View(long[] chain, long rootInode)
    {
        Chain = chain;
        RootInode = rootInode;
    }

    /// <summary>The leaf layer: a workspace head or a pin's frozen layer.</summary>
    public long Layer => Chain[0];

    /// <summary>The leaf and its ancestors, leaf first.</summary>
    public long[] Chain { get; }

    /// <summary>The directory this view's paths are relative to.</summary>
    public long RootInode { get; }

    public bool Contains(long layer)
    {
        // Descending order: binary search with a reversed comparison.
        int lo = 0, hi = Chain.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var value = Chain[mid];
            if (value == layer) return true;
            if (value > layer) lo = mid + 1; else hi = mid - 1;
        }
        return false;
    }

    /// <summary>The same view without its leaf: what the leaf's ancestors show.</summary>
    public View? Ancestors() => Chain.Length > 1 ? new View(Chain[1..], RootInode) : null;

    public View WithRoot(long rootInode) => new(Chain, rootInode);
}
