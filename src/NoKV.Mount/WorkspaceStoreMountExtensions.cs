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
        // Held while mounted: expiry never drops a workspace under its mount (the hold comes
        // first, so a workspace that expired just before fails here instead of mounting).
        var hold = store.Holds.Hold(workspace.Ref.Id, workspace.Path);
        var fileSystem = new MountedFileSystem(store, MountedView.Of(workspace), options);
        return StartAsync(fileSystem, directory, workspace.Path, options, hold, cancellationToken);
    }

    /// <summary>Mounts a snapshot, read-only, at <paramref name="directory"/> (see the workspace overload).</summary>
    /// <exception cref="MountFailedException">Not Linux, no /dev/fuse, not root, or the kernel refused the mount.</exception>
    public static Task<WorkspaceMount> MountAsync(this WorkspaceStore store, SnapshotPin snapshot, string directory,
        MountOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(snapshot);
        options ??= new MountOptions();
        var hold = store.Holds.HoldSnapshot(snapshot.Id);
        var fileSystem = new MountedFileSystem(store, MountedView.Of(snapshot), options);
        return StartAsync(fileSystem, directory, snapshot.Root, options, hold, cancellationToken);
    }

    private static async Task<WorkspaceMount> StartAsync(MountedFileSystem fileSystem, string directory, string workspacePath,
        MountOptions options, IDisposable hold, CancellationToken cancellationToken)
    {
        FuseSession session;
        string full;
        try
        {
            ArgumentException.ThrowIfNullOrEmpty(directory);
            options.Validate();
            full = Path.GetFullPath(directory);
            session = await FuseSession.StartAsync(fileSystem, full, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            hold.Dispose();
            throw;
        }
        // The hold ends with the mount, however it ends (unmount, umount DIR, the store closing).
        _ = session.Completion.ContinueWith(_ => hold.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
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
        return new WorkspaceMount(session, full, workspacePath, fileSystem.View.IsReadOnly, hold);
    }
}
