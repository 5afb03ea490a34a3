namespace NoKV;

/// <summary>Workspace paths never nest: a workspace cannot be created inside or above another one.</summary>
public sealed class WorkspaceNestingException : NoKVException
{
    /// <summary>Creates the exception for the requested path and the workspace it collides with.</summary>
    public WorkspaceNestingException(string workspacePath, string existingWorkspacePath)
        : base($"Workspace '{workspacePath}' would nest with existing workspace '{existingWorkspacePath}'; workspace paths never nest.")
    {
        WorkspacePath = workspacePath;
        ExistingWorkspacePath = existingWorkspacePath;
    }

    /// <summary>The path that was requested.</summary>
    public string WorkspacePath { get; }

    /// <summary>The existing workspace it would nest with.</summary>
    public string ExistingWorkspacePath { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.InvalidRequest;
}
