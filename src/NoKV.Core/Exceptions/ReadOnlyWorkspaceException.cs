namespace NoKV;

/// <summary>
/// A write into a workspace marked read-only with <see cref="WorkspaceStore.SetReadOnly"/>. Its
/// snapshots and clones are unaffected: clone it to get a writable copy.
/// </summary>
public sealed class ReadOnlyWorkspaceException : NoKVException
{
    /// <summary>Creates the exception for a workspace path.</summary>
    public ReadOnlyWorkspaceException(string workspacePath)
        : base($"Workspace '{workspacePath}' is read-only; clone it to get a writable copy, or clear the flag with SetReadOnly(path, false).") => WorkspacePath = workspacePath;

    /// <summary>The read-only workspace that was written to.</summary>
    public string WorkspacePath { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.ReadOnly;
}
