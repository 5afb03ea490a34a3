namespace NoKV.Tests;

/// <summary>
/// Issue 18: "a workspace that is mounted or has an open stream is not dropped under it: it
/// expires when released". A mounted workspace whose expiry has passed must survive GC while the
/// mount lives (the run counts it as deferred), writes buffered in an open file must still
/// publish, and it is dropped by the first GC after the unmount.
/// </summary>
public sealed class ExpiryUnderMountTests
{
    [FuseFact]
    public async Task An_expired_workspace_is_not_dropped_while_mounted_and_buffered_writes_still_land()
    {
        await using var t = new MountedStore();
        await t.Base.WriteAllBytesAsync("/f", "old"u8.ToArray());
        var mount = await t.MountAsync("/base");
        var path = Path.Combine(mount.Directory, "f");
        var data = new byte[100_000];
        Random.Shared.NextBytes(data);
        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
        try
        {
            stream.Write(data); // buffered in the mount, not yet published
            t.Store.SetExpiry("/base", DateTimeOffset.UtcNow.AddMinutes(-1));

            var report = t.Store.CollectGarbage();

            Assert.Equal(0, report.ExpiredWorkspaces);
            Assert.Equal(1, report.ExpiryDeferred);
            Assert.True(t.Store.WorkspaceExists("/base"));
        }
        finally
        {
            stream.Dispose(); // close(2): the mount publishes
        }
        Assert.Equal(data, await t.Base.ReadAllBytesAsync("/f"));
        await mount.DisposeAsync();
        Assert.Equal(1, t.Store.CollectGarbage().ExpiredWorkspaces);
        Assert.False(t.Store.WorkspaceExists("/base"));
    }

    [FuseFact]
    public async Task An_expired_snapshot_is_not_released_under_its_mount()
    {
        await using var t = new MountedStore();
        var data = new byte[200_000];
        Random.Shared.NextBytes(data);
        await t.Base.WriteAllBytesAsync("/f", data);
        var pin = t.Store.Snapshot("/base", new SnapshotOptions { TimeToLive = TimeSpan.FromSeconds(1) });
        t.Base.Delete("/f"); // only the snapshot keeps the file now
        var mount = await t.MountAsync(pin);
        t.Store.SetSnapshotExpiry(pin.Id, DateTimeOffset.UtcNow.AddMinutes(-1));

        var report = t.Store.CollectGarbage();

        Assert.Equal(0, report.ExpiredSnapshots);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(mount.Directory, "f")));
        await mount.DisposeAsync();
        Assert.Equal(1, t.Store.CollectGarbage().ExpiredSnapshots);
    }
}
