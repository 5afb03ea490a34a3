namespace NoKV.Tests;

/// <summary>Closing a store with live mounts unmounts them first, publishing what their open files hold.</summary>
public sealed class MountAtStoreCloseTests
{
    private static bool IsMounted(string directory) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == directory);

    [FuseFact]
    public async Task Disposing_the_store_unmounts_its_mounts_and_publishes_files_still_open()
    {
        var root = Path.Combine(Path.GetTempPath(), "nokv-mount-tests", Guid.NewGuid().ToString("N"));
        var options = new WorkspaceStoreOptions { Directory = Path.Combine(root, "store") };
        var workspaceDir = Directory.CreateDirectory(Path.Combine(root, "mnt-ws")).FullName;
        var snapshotDir = Directory.CreateDirectory(Path.Combine(root, "mnt-snap")).FullName;
        try
        {
            WorkspaceMount mount, snapshotMount;
            FileStream open;
            var store = WorkspaceStore.Open(options);
            await using (store)
            {
                var ws = store.CreateWorkspace("/w");
                await ws.WriteAllBytesAsync("/f", "v1"u8.ToArray());
                mount = await store.MountAsync("/w", workspaceDir);
                snapshotMount = await store.MountAsync(ws.Snapshot(), snapshotDir);
                open = new FileStream(Path.Combine(workspaceDir, "open.txt"), FileMode.Create, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
                open.Write("written, never closed"u8);
            }
            Assert.True(mount.Completion.IsCompleted, "the workspace mount outlived its store");
            Assert.True(snapshotMount.Completion.IsCompleted, "the snapshot mount outlived its store");
            Assert.False(IsMounted(workspaceDir));
            Assert.False(IsMounted(snapshotDir));
            try
            {
                open.Dispose();
            }
            catch (IOException)
            {
                // The mount is gone under it.
            }
            await using var reopened = WorkspaceStore.Open(options);
            Assert.Equal("written, never closed", System.Text.Encoding.UTF8.GetString(await reopened.OpenWorkspace("/w").ReadAllBytesAsync("/open.txt")));
        }
        finally
        {
            foreach (var dir in new[] { workspaceDir, snapshotDir })
            {
                if (IsMounted(dir)) Fuse.Run("/", "umount", "-l", dir);
            }
            Directory.Delete(root, recursive: true);
        }
    }
}
