namespace NoKV;

/// <summary>Two trees share no history (no common root and version), so one cannot be merged into the other.</summary>
public sealed class UnrelatedWorkspacesException : NoKVException
{
    /// <summary>Creates the exception for the two paths.</summary>
    public UnrelatedWorkspacesException(string forkPath, string targetPath)
        : base($"'{forkPath}' and '{targetPath}' share no history; promote needs a fork and the tree it was cloned from.")
    {
        ForkPath = forkPath;
        TargetPath = targetPath;
    }

    /// <summary>The fork.</summary>
    public string ForkPath { get; }

    /// <summary>The target.</summary>
    public string TargetPath { get; }

    /// <inheritdoc />
    public override NoKVErrorKind ErrorKind => NoKVErrorKind.Unrelated;
}
