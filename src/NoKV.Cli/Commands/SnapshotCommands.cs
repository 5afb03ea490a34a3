using System.CommandLine;
using NoKV.Cli.Output;
using static NoKV.Cli.Commands.CommandFactory;

namespace NoKV.Cli.Commands;

/// <summary>snapshot, snapshots, clone, rollback, release.</summary>
internal static class SnapshotCommands
{
    public static IEnumerable<Command> All()
    {
        var snapPath = new Argument<string>("path") { Description = "A workspace or a directory in one" };
        var snapTtl = Lifetimes.TtlOption();
        yield return Create("snapshot", "Pin the current state (read-only, kept until released)", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var pin = await store.SnapshotAsync(p.GetValue(snapPath)!, Lifetimes.Parse(p.GetValue(snapTtl)), ct).ConfigureAwait(false);
            Console.Out.WriteLine($"snapshot {pin.Root} id={pin.Id} version={pin.ReadVersion}");
            return ExitCodes.Success;
        }), snapPath, snapTtl);

        var listPath = new Argument<string?>("workspace") { Description = "Only this workspace's snapshots", Arity = ArgumentArity.ZeroOrOne };
        yield return Create("snapshots", "List unreleased snapshots", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var pins = await store.ListSnapshotsAsync(p.GetValue(listPath), ct).ConfigureAwait(false);
            Terminal.Table(["id", "root", "version", "created"], pins.Select(s => new[]
            {
                StoreCommands.Num(s.Id), s.Root, StoreCommands.Num(s.ReadVersion), s.CreatedUtc.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            }).ToList());
            return ExitCodes.Success;
        }), listPath);

        var cloneSource = new Argument<string>("source") { Description = "A workspace, a directory in one, or @ID for a snapshot" };
        var cloneTarget = new Argument<string>("target") { Description = "The new workspace's path" };
        var cloneTtl = Lifetimes.TtlOption();
        yield return Create("clone", "Create a copy-on-write workspace from a workspace or a snapshot", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var source = p.GetValue(cloneSource)!;
            var ttl = Lifetimes.Parse(p.GetValue(cloneTtl));
            var handle = await store.CloneAsync(source, CliContext.TryParseSnapshot(source, out var id) ? id : null, p.GetValue(cloneTarget)!, ttl, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"cloned {source} -> {handle.Root} root={handle.RootInode} snapshot={handle.SnapshotId}");
            return ExitCodes.Success;
        }), cloneSource, cloneTarget, cloneTtl);

        var rollbackPath = new Argument<string>("path") { Description = "A workspace (or a directory in one)" };
        var rollbackId = new Argument<string>("snapshot") { Description = "The snapshot id (7 or @7)" };
        yield return Create("rollback", "Make a workspace exactly a snapshot again", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var id = ParseId(p.GetValue(rollbackId)!);
            await store.RollbackAsync(p.GetValue(rollbackPath)!, id, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"rolled back {p.GetValue(rollbackPath)} to snapshot {id}");
            return ExitCodes.Success;
        }), rollbackPath, rollbackId);

        var releaseId = new Argument<string>("snapshot") { Description = "The snapshot id (7 or @7)" };
        yield return Create("release", "Release a snapshot; what only it kept becomes garbage", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var id = ParseId(p.GetValue(releaseId)!);
            await store.ReleaseSnapshotAsync(id, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"released snapshot {id}");
            return ExitCodes.Success;
        }), releaseId);
    }

    private static long ParseId(string text)
    {
        if (CliContext.TryParseSnapshot(text, out var id)) return id;
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id)
            ? id
            : throw new UsageException($"'{text}' is not a snapshot id");
    }
}
