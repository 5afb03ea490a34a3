namespace NoKV;

/// <summary>A store path split into the workspace that holds it and the path inside that workspace.</summary>
/// <param name="Workspace">The workspace ("/forks/a" for "/forks/a/src/x").</param>
/// <param name="Path">The path inside it ("/src/x"; "/" for the workspace root).</param>
public sealed record LocatedPath(Workspace Workspace, string Path);
