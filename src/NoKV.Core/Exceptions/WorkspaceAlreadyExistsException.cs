namespace NoKV;

/// <summary>A workspace already exists at the path a create or clone targets.</summary>
public sealed class WorkspaceAlreadyExistsException : NoKVException
{
    /// <summary>Creates the exception for a workspace path.</summary>
    public WorkspaceAlreadyExistsException(string workspacePath)
        : base($"Workspace '{workspacePath}' already exists.") => WorkspacePath = workspacePath;

    /// <summary>The path that is taken.</summary>
    public string WorkspacePath { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.AlreadyExists;
}
