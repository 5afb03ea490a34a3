namespace NoKV.Cli;

/// <summary>
/// Something the read commands read from: a store path ("/base/src") or a snapshot with an
/// optional path inside it ("@7", "@7/src").
/// </summary>
internal sealed class ReadTarget
{
    private readonly SnapshotPin? _pin;
    private readonly Workspace? _workspace;

    private ReadTarget(SnapshotPin? pin, Workspace? workspace, string path, string display)
    {
        _pin = pin;
        _workspace = workspace;
        Path = path;
        Display = display;
    }

    /// <summary>The path inside the workspace or snapshot.</summary>
    public string Path { get; }

    public string Display { get; }

    public static ReadTarget Resolve(WorkspaceStore store, string text)
    {
        if (text.StartsWith('@'))
        {
            var slash = text.IndexOf('/');
            var idText = slash < 0 ? text : text[..slash];
            if (!CliContext.TryParseSnapshot(idText, out var id)) throw new UsageException($"'{text}' is not a snapshot reference");
            return new ReadTarget(store.GetSnapshot(id), null, slash < 0 ? "/" : text[slash..], text);
        }
        var located = store.Locate(text);
        return new ReadTarget(null, located.Workspace, located.Path, text);
    }

    public string Join(string relative) => Path == "/" ? relative : relative == "/" ? Path : Path + relative;

    public IReadOnlyList<NodeInfo> List(string path) => _pin?.List(path) ?? _workspace!.List(path);
    public NodeInfo Stat(string path) => _pin?.Stat(path) ?? _workspace!.Stat(path);
    public Stream OpenRead(string path) => _pin?.OpenRead(path) ?? _workspace!.OpenRead(path);
}
