using Microsoft.Extensions.AI;
using NoKV.AI;

namespace NoKV.Cli.Mcp;

/// <summary>
/// Everything `nokv mcp` asks of the store, in one place. Today the server opens the store
/// itself (<see cref="LocalForkHost"/>, so it must be the only process with the store open).
/// Working through a running owner's socket (issue 17, the service layer) is a second
/// implementation of this interface — its tool set forwards each call over the socket — and
/// nothing else in the server changes.
/// </summary>
internal interface IForkHost
{
    /// <summary>Clones <paramref name="basePath"/> into the new workspace <paramref name="forkPath"/>; returns the clone's base snapshot id.</summary>
    long Fork(string basePath, string forkPath);

    /// <summary>True if a workspace exists at the path.</summary>
    bool Exists(string forkPath);

    /// <summary>The workspace paths below <paramref name="prefix"/>.</summary>
    IReadOnlyList<string> ListForks(string prefix);

    /// <summary>The NoKV.AI tools over one fork (one set per fork, kept by the caller so its snapshots stay its own).</summary>
    IReadOnlyList<AIFunction> CreateTools(string forkPath, WorkspaceToolOptions options);

    /// <summary>The snapshot with the id (the base a diff compares with).</summary>
    SnapshotPin GetSnapshot(long snapshotId);

    /// <summary>Merges the fork into the tree it was cloned from.</summary>
    PromoteResult Promote(string forkPath, string targetPath, PromoteStrategy strategy, CancellationToken cancellationToken);

    /// <summary>Deletes the fork and releases its snapshots (and its base snapshot, when known).</summary>
    Task DropAsync(string forkPath, long? baseSnapshotId);

    /// <summary>Whether <see cref="MountAsync"/> can work here (Linux, /dev/fuse, root).</summary>
    bool CanMount { get; }

    /// <summary>Mounts the fork on a new directory; returns it. The host unmounts it at drop and at exit.</summary>
    Task<string> MountAsync(string forkPath, CancellationToken cancellationToken);
}
