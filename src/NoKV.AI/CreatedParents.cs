namespace NoKV.AI;

/// <summary>
/// Creates the missing parent directories of a path for a write or move, and removes them again
/// if the operation fails (a move refused at a path limit, a cancelled write), so a failed call
/// leaves the workspace as it was. <see cref="Keep"/> once the operation has succeeded.
/// </summary>
internal sealed class CreatedParents : IDisposable
{
    private readonly Workspace _workspace;
    private string? _topmostCreated;

    private CreatedParents(Workspace workspace, string? topmostCreated)
    {
        _workspace = workspace;
        _topmostCreated = topmostCreated;
    }

    public static CreatedParents Create(Workspace workspace, string path)
    {
        var parent = ToolPaths.Parent(path);
        string? topmost = null;
        for (var dir = parent; dir != "/" && !workspace.Exists(dir); dir = ToolPaths.Parent(dir)) topmost = dir;
        workspace.CreateDirectory(parent);
        return new CreatedParents(workspace, topmost);
    }

    public void Keep() => _topmostCreated = null;

    public void Dispose()
    {
        if (_topmostCreated is null) return;
        try { _workspace.Delete(_topmostCreated, recursive: true); }
        catch (NoKVException) { } // Best effort: the operation's own failure is what the caller sees.
    }
}
