using NoKV.Layers;
using NoKV.Lmdb;

namespace NoKV.Gc;

/// <summary>One live view: a workspace head or a snapshot pin, its leaf layer and the directory it is rooted at.</summary>
internal sealed record Viewer(long Layer, View View);

/// <summary>
/// Every live view of the store (workspace heads and snapshot pins) by leaf layer, read in one
/// transaction. GC asks it which views read through a layer, and whether a view shows a whole
/// workspace or only a directory of one (a subtree snapshot or clone sees nothing outside it).
/// </summary>
internal sealed class LiveViews
{
    private readonly Dictionary<long, List<long>> _rootsByLayer = [];

    private LiveViews() { }

    public static LiveViews Load(MetaTxn txn)
    {
        var views = new LiveViews();
        foreach (var (_, value) in txn.Scan(Db.Workspaces, []))
        {
            var ws = WorkspaceRecord.Decode(value);
            views.Add(ws.HeadLayer, ws.RootInode);
        }
        foreach (var (_, value) in txn.Scan(Db.Pins, []))
        {
            var pin = PinRecord.Decode(value);
            views.Add(pin.Layer, pin.RootInode);
        }
        return views;
    }

    private void Add(long layer, long root)
    {
        if (!_rootsByLayer.TryGetValue(layer, out var roots)) _rootsByLayer[layer] = roots = [];
        roots.Add(root);
    }

    /// <summary>The views whose leaf is <paramref name="layer"/>.</summary>
    public IEnumerable<Viewer> At(MetaTxn txn, long layer) =>
        _rootsByLayer.TryGetValue(layer, out var roots) ? roots.Select(root => new Viewer(layer, LayerTable.ViewOf(txn, layer, root))) : [];

    /// <summary>The views that read through <paramref name="layer"/>: their leaf is it or one of its descendants.</summary>
    public List<Viewer> AtOrBelow(MetaTxn txn, long layer)
    {
        var viewers = new List<Viewer>();
        var pending = new Stack<long>([layer]);
        while (pending.TryPop(out var id))
        {
            viewers.AddRange(At(txn, id));
            foreach (var child in LayerTable.Children(txn, id)) pending.Push(child);
        }
        return viewers;
    }

    /// <summary>True if the view is rooted at a workspace root, not at a directory inside one.</summary>
    public static bool ShowsWholeWorkspace(MetaTxn txn, Viewer viewer) =>
        NodeReader.Inode(txn, viewer.View, viewer.View.RootInode) is { Parent: 0 };
}
