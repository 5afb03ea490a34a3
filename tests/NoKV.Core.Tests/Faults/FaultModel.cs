using NoKV.Tests.Model;

namespace NoKV.Tests.Faults;

/// <summary>A workspace in the model: its tree, its root's identity (what rollback compares) and which incarnation at that path it is.</summary>
public sealed record FaultWs(ModelTree Tree, long Root, long Incarnation);

/// <summary>An unreleased snapshot in the model: its tree and its root directory's identity.</summary>
public sealed record FaultPin(ModelTree Tree, long Root);

/// <summary>
/// What the store must show: every workspace and every unreleased snapshot. Directory nodes carry
/// their identity in <see cref="ModelNode.Version"/> (a subtree snapshot or clone is rooted at it).
/// </summary>
public sealed class FaultModel
{
    public const long UnknownPin = -1;

    public Dictionary<string, FaultWs> Workspaces { get; } = new(StringComparer.Ordinal);
    public Dictionary<long, FaultPin> Pins { get; } = [];

    public FaultModel Copy()
    {
        var copy = new FaultModel();
        foreach (var (path, ws) in Workspaces) copy.Workspaces[path] = ws with { Tree = ws.Tree.Copy() };
        foreach (var (id, pin) in Pins) copy.Pins[id] = pin;
        return copy;
    }

    /// <summary>Gives a snapshot taken by the operation (known as <see cref="UnknownPin"/> until now) its id.</summary>
    public void NamePin(long id)
    {
        if (!Pins.Remove(UnknownPin, out var pin)) return;
        Pins[id] = pin;
    }

    public bool HasUnnamedPin => Pins.ContainsKey(UnknownPin);

    /// <summary>The tree below <paramref name="dir"/>, re-rooted at "/".</summary>
    public static ModelTree Subtree(ModelTree tree, string dir)
    {
        if (dir == "/") return tree.Copy();
        var sub = new ModelTree();
        foreach (var (path, node) in tree.Nodes)
        {
            if (path.StartsWith(dir + "/", StringComparison.Ordinal)) sub.Nodes[path[dir.Length..]] = node;
        }
        return sub;
    }

    /// <summary>The identity of the directory a snapshot or clone of <paramref name="dir"/> would be rooted at, or null if it is not a directory.</summary>
    public static long? DirectoryIdentity(FaultWs ws, string dir) =>
        dir == "/" ? ws.Root
        : ws.Tree.ResolveError(dir) is null && ws.Tree.IsDir(dir) ? ws.Tree.Nodes[dir].Version
        : null;
}

/// <summary>What a store shows, in the same terms: path → (kind, content hash) per workspace and per snapshot.</summary>
public sealed class ObservedState
{
    public SortedDictionary<string, SortedDictionary<string, string>> Workspaces { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<long, SortedDictionary<string, string>> Pins { get; } = [];

    public static SortedDictionary<string, string> Canonical(ModelTree tree) =>
        new(tree.Nodes.ToDictionary(n => n.Key, n => n.Value.Kind == NodeKind.File ? Hash(n.Value.Data!) : "dir", StringComparer.Ordinal), StringComparer.Ordinal);

    public static string Hash(byte[] data) => $"{data.Length}:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data))[..16]}";

    /// <summary>Null if the store shows exactly the model; otherwise what differs.</summary>
    public string? Difference(FaultModel model)
    {
        var wantWs = string.Join(",", model.Workspaces.Keys.Order(StringComparer.Ordinal));
        var haveWs = string.Join(",", Workspaces.Keys);
        if (wantWs != haveWs) return $"workspaces [{haveWs}], model [{wantWs}]";
        var wantPins = string.Join(",", model.Pins.Keys.Order());
        var havePins = string.Join(",", Pins.Keys);
        if (wantPins != havePins) return $"snapshots [{havePins}], model [{wantPins}]";
        foreach (var (path, ws) in model.Workspaces)
        {
            if (Describe(Workspaces[path]) is var have && Describe(Canonical(ws.Tree)) is var want && have != want) return $"{path} holds {have}, model {want}";
        }
        foreach (var (id, pin) in model.Pins)
        {
            if (Describe(Pins[id]) is var have && Describe(Canonical(pin.Tree)) is var want && have != want) return $"snapshot {id} holds {have}, model {want}";
        }
        return null;
    }

    private static string Describe(SortedDictionary<string, string> tree) => "{" + string.Join(" ", tree.Select(kv => $"{kv.Key}={kv.Value}")) + "}";
}
