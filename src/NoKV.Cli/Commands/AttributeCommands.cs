using System.CommandLine;
using System.Globalization;
using static NoKV.Cli.Commands.CommandFactory;

namespace NoKV.Cli.Commands;

/// <summary>ln -s, chmod, touch: the commands that make links and set attributes.</summary>
internal static class AttributeCommands
{
    public static IEnumerable<Command> All()
    {
        var linkTarget = new Argument<string>("target") { Description = "What the link points to, stored as given (relative, absolute or dangling; never resolved)" };
        var linkPath = new Argument<string>("path") { Description = "The link to create, e.g. /base/current (must not exist)" };
        var symbolic = new Option<bool>("--symbolic", "-s") { Description = "Make a symbolic link (required: NoKV has no hard links)" };
        yield return Create("ln", "Create a symbolic link: nokv ln -s TARGET PATH", (p, c, ct) => WithStore(c, ct, async store =>
        {
            if (!p.GetValue(symbolic)) throw new UsageException("NoKV has no hard links; use 'nokv ln -s TARGET PATH' for a symbolic link");
            var (ws, path) = await store.LocateAsync(p.GetValue(linkPath)!, ct).ConfigureAwait(false);
            await ws.CreateSymbolicLinkAsync(path, p.GetValue(linkTarget)!, ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }), linkTarget, linkPath, symbolic);

        var mode = new Argument<string>("mode") { Description = "Octal (755, 0644, 4755 with setuid) or symbolic (u+x, go-w, a=r)" };
        var chmodPath = new Argument<string>("path") { Description = "A file or directory (a symbolic link has no mode of its own)" };
        yield return Create("chmod", "Set the permission bits of a file or directory (stored, not enforced)", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var (ws, path) = await store.LocateAsync(p.GetValue(chmodPath)!, ct).ConfigureAwait(false);
            var current = (await ws.StatAsync(path, ct).ConfigureAwait(false)).Mode;
            await ws.SetUnixFileModeAsync(path, ModeArgument.Apply(p.GetValue(mode)!, current), ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }), mode, chmodPath);

        var touchPath = new Argument<string>("path") { Description = "A file, directory or link (the link itself: NoKV never follows links)" };
        var date = new Option<string?>("--date", "-d") { Description = "The time to set instead of now: ISO 8601, e.g. 2001-02-03T04:05:06Z (UTC when no offset is given)" };
        yield return Create("touch", "Set a node's modification time to now (or --date); create an empty file if nothing is there", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var when = p.GetValue(date) is { } text ? ParseTime(text) : DateTimeOffset.UtcNow;
            var (ws, path) = await store.LocateAsync(p.GetValue(touchPath)!, ct).ConfigureAwait(false);
            if (!await ws.ExistsAsync(path, ct).ConfigureAwait(false))
            {
                await ws.WriteAllBytesAsync(path, ReadOnlyMemory<byte>.Empty, ct).ConfigureAwait(false);
                if (p.GetValue(date) is null) return ExitCodes.Success;
            }
            await ws.SetLastWriteTimeAsync(path, when, ct).ConfigureAwait(false);
            return ExitCodes.Success;
        }), touchPath, date);
    }

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new UsageException($"'{text}' is not a time: use ISO 8601, e.g. 2001-02-03T04:05:06Z");
}
