using System.Text;
using NoKV.Lmdb;
using NoKV.Paths;

namespace NoKV.Layers;

/// <summary>Enumerates every node a view reaches from its root, depth first, with its path.</summary>
internal static class TreeWalker
{
    public static IEnumerable<(string Path, InodeRecord Record)> Walk(MetaTxn txn, View view) => WalkWithInodes(txn, view).Select(n => (n.Path, n.Record));

    public static IEnumerable<(string Path, long Ino, InodeRecord Record)> WalkWithInodes(MetaTxn txn, View view)
    {
        var root = NodeReader.Inode(txn, view, view.RootInode);
        if (root is null) yield break;
        var pending = new Stack<(string Path, long Ino, InodeRecord Record)>();
        pending.Push(("/", view.RootInode, root));
        while (pending.TryPop(out var node))
        {
            yield return node;
            if (!node.Record.IsDirectory) continue;
            foreach (var (name, entry) in NodeReader.Children(txn, view, node.Ino))
            {
                var child = NodeReader.Inode(txn, view, entry.Child);
                var path = PathRules.Combine(node.Path, Encoding.UTF8.GetString(name));
                if (child is null) throw new StoreCorruptedException($"'{path}' points to missing inode {entry.Child}.");
                pending.Push((path, entry.Child, child));
            }
        }
    }
}
