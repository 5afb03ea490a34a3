namespace NoKV;

/// <summary>No workspace exists at the given path.</summary>
public sealed class WorkspaceNotFoundException : NoKVException
{
    /// <summary>Creates the exception for a workspace path.</summary>
    public WorkspaceNotFoundException(string workspacePath)
        : base($"Workspace '{workspacePath}' does not exist.") => WorkspacePath = workspacePath;

    /// <summary>The path that named no workspace.</summary>
    public string WorkspacePath { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.NotFound;
}
