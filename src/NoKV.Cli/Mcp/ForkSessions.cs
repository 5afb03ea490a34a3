using Microsoft.Extensions.AI;
using NoKV.AI;

namespace NoKV.Cli.Mcp;

/// <summary>
/// The forks this server knows: each fork's tool set (created once, so the snapshots its tools
/// take stay its own across calls) and, for forks it created, the base they were cloned from.
/// Forks live below one prefix ("/forks"), and a tool names a fork by its last segment only, so
/// no argument can point a file tool at the base or at any other workspace.
/// </summary>
internal sealed class ForkSessions(IForkHost host, string prefix)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public string Prefix => prefix;

    /// <summary>What the server remembers of one fork.</summary>
    public sealed record Session(string Path, string? BasePath, long? BaseSnapshotId)
    {
        public IReadOnlyList<AIFunction>? Tools { get; set; }
    }

    /// <summary>The store path of a fork name; refuses anything but one plain segment.</summary>
    public string PathOf(string? name)
    {
        if (string.IsNullOrEmpty(name)) throw new McpToolException("'fork' is empty: give the fork's name, as the fork tool returned it (e.g. \"agent-1\").");
        if (name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
            throw new McpToolException($"'{name}' is not a fork name: give one name without '/', e.g. \"agent-1\" for {prefix}/agent-1.");
        return prefix + "/" + name;
    }

    public Session Created(string path, string basePath, long baseSnapshotId)
    {
        var session = new Session(path, basePath, baseSnapshotId);
        lock (_gate) _sessions[path] = session;
        return session;
    }

    /// <summary>The session of an existing fork (one made before this server started has no known base).</summary>
    public Session Get(string name)
    {
        var path = PathOf(name);
        lock (_gate)
        {
            if (_sessions.TryGetValue(path, out var known)) return known;
        }
        if (!host.Exists(path)) throw new McpToolException($"there is no fork '{name}' ({path}); create it with the fork tool, or see list_forks.");
        lock (_gate)
        {
            if (!_sessions.TryGetValue(path, out var session)) _sessions[path] = session = new Session(path, null, null);
            return session;
        }
    }

    public IReadOnlyList<AIFunction> ToolsOf(Session session)
    {
        lock (_gate)
        {
            return session.Tools ??= host.CreateTools(session.Path, new WorkspaceToolOptions
            {
                BaseSnapshot = session.BaseSnapshotId is { } id ? host.GetSnapshot(id) : null,
            });
        }
    }

    public void Forget(string path)
    {
        lock (_gate) _sessions.Remove(path);
    }
}
