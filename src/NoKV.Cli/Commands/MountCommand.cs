using System.CommandLine;

namespace NoKV.Cli.Commands;

/// <summary>
/// nokv mount WORKSPACE DIR [--read-only] | nokv mount @ID DIR: serves a workspace (or, read-only,
/// a snapshot) as a real directory, in the foreground, until it is unmounted (umount DIR,
/// fusermount3 -u DIR) or the process gets SIGINT/SIGTERM; then every open file is published,
/// the store is flushed and closed, and the exit code is 0.
/// </summary>
internal static class MountCommand
{
    public static Command Build()
    {
        var source = new Argument<string>("workspace") { Description = "The workspace to mount, or @ID for a snapshot (read-only)" };
        var directory = new Argument<string>("directory") { Description = "An existing, empty directory to mount it on" };
        var readOnly = new Option<bool>("--read-only") { Description = "Refuse every change (EROFS)" };
        var command = new Command("mount", "Serve a workspace or snapshot as a real directory (Linux, FUSE) until unmounted");
        command.Add(source);
        command.Add(directory);
        command.Add(readOnly);
        command.SetAction((parse, cancellationToken) => RunAsync(new CliContext(parse), parse.GetValue(source)!, parse.GetValue(directory)!, parse.GetValue(readOnly), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string source, string directory, bool readOnly, CancellationToken cancellationToken)
    {
        // A mount is a POSIX file system: writes are published at close and durable at fsync or
        // within the flush interval, not one durable commit per call.
        var store = await context.OpenAsync(cancellationToken, Durability.Deferred).ConfigureAwait(false);
        await using (store.ConfigureAwait(false))
        {
            await using var serving = await NoKV.Server.NoKVServer.StartAsync(store, cancellationToken: cancellationToken).ConfigureAwait(false); // other nokv commands work while mounted
            var options = new MountOptions { ReadOnly = readOnly };
            var mount = CliContext.TryParseSnapshot(source, out var id)
                ? await store.MountAsync(store.GetSnapshot(id), directory, options, cancellationToken).ConfigureAwait(false)
                : await store.MountAsync(source, directory, options, cancellationToken).ConfigureAwait(false);
            await using (mount.ConfigureAwait(false))
            {
                Console.Out.WriteLine($"mounted {source} at {mount.Directory}{(mount.IsReadOnly ? " (read-only)" : "")}");
                Console.Out.Flush();
                // Unmounted from outside (umount, fusermount3 -u), or told to stop (SIGINT, SIGTERM).
                await Task.WhenAny(mount.Completion, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
                await mount.UnmountAsync().ConfigureAwait(false);
                await mount.Completion.ConfigureAwait(false);
            }
            await store.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            Console.Out.WriteLine($"unmounted {mount.Directory}");
        }
        return ExitCodes.Success;
    }
}
