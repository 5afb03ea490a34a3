using NoKV.Cli.Sessions;

namespace NoKV.Cli;

/// <summary>
/// Something the read commands read from: a store path ("/base/src") or a snapshot with an
/// optional path inside it ("@7", "@7/src").
/// </summary>
internal sealed class ReadTarget
{
    private readonly ITreeAccess _tree;

    private ReadTarget(ITreeAccess tree, string path, string display)
    {
        _tree = tree;
        Path = path;
        Display = display;
    }

    /// <summary>The path inside the workspace or snapshot.</summary>
    public string Path { get; }

    public string Display { get; }

    public static async Task<ReadTarget> ResolveAsync(IStoreSession store, string text, CancellationToken cancellationToken)
    {
        if (text.StartsWith('@'))
        {
            var slash = text.IndexOf('/');
            var idText = slash < 0 ? text : text[..slash];
            if (!CliContext.TryParseSnapshot(idText, out var id)) throw new UsageException($"'{text}' is not a snapshot reference");
            return new ReadTarget(await store.GetSnapshotAsync(id, cancellationToken).ConfigureAwait(false), slash < 0 ? "/" : text[slash..], text);
        }
        var (workspace, path) = await store.LocateAsync(text, cancellationToken).ConfigureAwait(false);
        return new ReadTarget(workspace, path, text);
    }

    public string Join(string relative) => Path == "/" ? relative : relative == "/" ? Path : Path + relative;

    public Task<IReadOnlyList<NodeInfo>> ListAsync(string path, CancellationToken cancellationToken) => _tree.ListAsync(path, cancellationToken);
    public Task<NodeInfo> StatAsync(string path, CancellationToken cancellationToken) => _tree.StatAsync(path, cancellationToken);
    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken) => _tree.OpenReadAsync(path, cancellationToken);
}
