namespace NoKV;

/// <summary>What <see cref="Workspace.ImportAsync(string, string, CancellationToken)"/> copied in (or has so far, in progress reports).</summary>
/// <param name="Files">Regular files imported.</param>
/// <param name="Directories">Directories imported (not counting the target).</param>
/// <param name="Bytes">Bytes of file content imported.</param>
/// <param name="Skipped">
/// Source entries not imported, in the order met, each with its path relative to the source and
/// the reason: special files — named pipes (FIFOs), sockets, character and block devices — which
/// are recognised without being opened, so an import never blocks on one; links whose target
/// NoKV cannot store; and links found where a file or directory had just been seen (never followed).
/// </param>
public sealed record ImportResult(long Files, long Directories, long Bytes, IReadOnlyList<ImportSkip> Skipped)
{
    /// <summary>Symbolic links imported (as links: stored with their target, never followed).</summary>
    public long Links { get; init; }

    /// <summary>The symbolic links among <see cref="Skipped"/> (those swapped in during the import), relative to the source.</summary>
    public IReadOnlyList<string> SkippedLinks => [.. Skipped.Where(s => s.Reason == ImportSkipReason.SymbolicLink).Select(s => s.Path)];
}
