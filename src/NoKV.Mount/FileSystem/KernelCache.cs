using System.Collections.Concurrent;
using System.Text;

namespace NoKV.Mount.FileSystem;

/// <summary>
/// What the mount has let the kernel cache, so a change made beside the mount can be dropped
/// from the kernel's caches: the names it answered (found or not), the nodes it described, and
/// for each file the generation whose bytes the kernel's page cache holds (an open keeps the
/// cache, <c>FOPEN_KEEP_CACHE</c>, only while that is still the file's generation).
/// </summary>
internal sealed class KernelCache
{
    private readonly ConcurrentDictionary<(ulong Parent, string Name), byte> _entries = new();
    private readonly ConcurrentDictionary<ulong, byte> _nodes = new();
    private readonly ConcurrentDictionary<long, long> _cachedGenerations = new();

    /// <summary>The kernel may now cache <paramref name="name"/> in <paramref name="parent"/> (and the node it names, if any).</summary>
    public void Answered(ulong parent, ReadOnlySpan<byte> name, ulong node)
    {
        _entries.TryAdd((parent, Encoding.Latin1.GetString(name)), 0);
        if (node != 0) _nodes.TryAdd(node, 0);
    }

    /// <summary>
    /// A file is opened at <paramref name="generation"/>: true when the kernel's cached pages
    /// already hold exactly that generation (keep them), and from now on they will.
    /// </summary>
    public bool Opened(long ino, long generation)
    {
        var keep = _cachedGenerations.TryGetValue(ino, out var cached) && cached == generation;
        _cachedGenerations[ino] = generation;
        return keep;
    }

    /// <summary>The mount published <paramref name="generation"/> from writes that went through the kernel's page cache: it holds that generation.</summary>
    public void Published(long ino, long generation)
    {
        if (_cachedGenerations.ContainsKey(ino)) _cachedGenerations[ino] = generation;
    }

    /// <summary>The kernel's pages of <paramref name="ino"/> are being dropped: the next open starts cold.</summary>
    public void Dropped(long ino) => _cachedGenerations.TryRemove(ino, out _);

    /// <summary>Takes every entry and node the kernel may cache (a whole-tree change drops them all; lookups record them again).</summary>
    public (List<(ulong Parent, byte[] Name)> Entries, List<ulong> Nodes) TakeAll()
    {
        var entries = new List<(ulong, byte[])>();
        foreach (var key in _entries.Keys)
        {
            if (_entries.TryRemove(key, out _)) entries.Add((key.Parent, Encoding.Latin1.GetBytes(key.Name)));
        }
        var nodes = new List<ulong>();
        foreach (var node in _nodes.Keys)
        {
            if (_nodes.TryRemove(node, out _)) nodes.Add(node);
        }
        _cachedGenerations.Clear();
        return (entries, nodes);
    }
}
