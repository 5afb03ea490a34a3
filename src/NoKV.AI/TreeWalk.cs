using System.Runtime.CompilerServices;

namespace NoKV.AI;

/// <summary>
/// Walks a workspace directory breadth-first, a page at a time (memory stays bounded for any
/// directory size), visiting at most a fixed number of entries: <see cref="Exhausted"/> says the
/// walk stopped at the limit rather than at the end of the tree. Links are listed, never followed.
/// </summary>
internal sealed class TreeWalk(Workspace workspace, string root, int maxVisited)
{
    public bool Exhausted { get; private set; }

    public async IAsyncEnumerable<(string Path, NodeInfo Node)> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var visited = 0;
        var pending = new Queue<string>();
        pending.Enqueue(root);
        while (pending.TryDequeue(out var directory))
        {
            await foreach (var node in workspace.EnumerateAsync(directory, cancellationToken).ConfigureAwait(false))
            {
                if (++visited > maxVisited)
                {
                    Exhausted = true;
                    yield break;
                }
                var path = ToolPaths.Join(directory, node.Name);
                if (node.Kind == NodeKind.Directory) pending.Enqueue(path);
                yield return (path, node);
            }
        }
    }
}
