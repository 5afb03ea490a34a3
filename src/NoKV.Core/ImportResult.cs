namespace NoKV;

/// <summary>What <see cref="Workspace.ImportAsync(string, string, CancellationToken)"/> copied in (or has so far, in progress reports).</summary>
/// <param name="Files">Files imported.</param>
/// <param name="Directories">Directories imported (not counting the target).</param>
/// <param name="Bytes">Bytes of file content imported.</param>
/// <param name="SkippedLinks">Symbolic links found in the source, relative to it; never followed, not imported.</param>
public sealed record ImportResult(long Files, long Directories, long Bytes, IReadOnlyList<string> SkippedLinks);
