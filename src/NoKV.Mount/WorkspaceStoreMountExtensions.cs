using NoKV.Mount.FileSystem;
using NoKV.Mount.Session;

namespace NoKV;

/// <summary>Mounting a workspace or a snapshot as a directory (Linux, FUSE).</summary>
public static class WorkspaceStoreMountExtensions
{
    /// <summary>
    /// Mounts a workspace at <paramref name="directory"/> (an existing directory) and returns once
    /// the directory is usable. Node inodes in the mount are NoKV inodes. Needs Linux, /dev/fuse
    /// and (for now) root.
    /// </summary>
    /// <exception cref="WorkspaceNotFoundException">No workspace at <paramref name="workspacePath"/>.</exception>
    /// <exception cref="MountFailedException">Not Linux, no /dev/fuse, not root, or the kernel refused the mount.</exception>
    public static Task<WorkspaceMount> MountAsync(this WorkspaceStore store, string workspacePath, string directory,
        MountOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var workspace = store.OpenWorkspace(workspacePath);
        options ??= new MountOptions();
        var fileSystem = new MountedFileSystem(store, MountedView.Of(workspace), options);
        return StartAsync(fileSystem, directory, workspace.Path, options, cancellationToken);
    }

    /// <summary>Mounts a snapshot, read-only, at <paramref name="directory"/> (see the workspace overload).</summary>
    /// <exception cref="MountFailedException">Not Linux, no /dev/fuse, not root, or the kernel refused the mount.</exception>
    public static Task<WorkspaceMount> MountAsync(this WorkspaceStore store, SnapshotPin snapshot, string directory,
        MountOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(snapshot);
        options ??= new MountOptions();
        var fileSystem = new MountedFileSystem(store, MountedView.Of(snapshot), options);
        return StartAsync(fileSystem, directory, snapshot.Root, options, cancellationToken);
    }

    private static async Task<WorkspaceMount> StartAsync(MountedFileSystem fileSystem, string directory, string workspacePath,
        MountOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options.Validate();
        var full = Path.GetFullPath(directory);
        var session = await FuseSession.StartAsync(fileSystem, full, options, cancellationToken).ConfigureAwait(false);
        // From now on changes beside the mount reach the kernel's caches, and closing the store unmounts it first.
        fileSystem.Subscribe(async () =>
        {
            try
            {
                await session.UnmountAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is MountFailedException or IOException)
            {
                NoKV.Mount.MountLog.UnmountAtCloseFailed(fileSystem.Logger, e, full);
            }
        });
        return new WorkspaceMount(session, full, workspacePath, fileSystem.View.IsReadOnly);
    }
}
