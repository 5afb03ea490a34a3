using System.CommandLine;
using static NoKV.Cli.Commands.CommandFactory;

namespace NoKV.Cli.Commands;

/// <summary>readonly WORKSPACE [on|off]; expire WORKSPACE DURATION|never.</summary>
internal static class LifecycleCommands
{
    public static IEnumerable<Command> All()
    {
        var roPath = new Argument<string>("workspace") { Description = "The workspace" };
        var roState = new Argument<string>("state") { Description = "on (refuse writes) or off", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "on" };
        roState.AcceptOnlyFromAmong("on", "off");
        yield return Create("readonly", "Make a workspace refuse every write (its clones stay writable), or writable again", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var on = p.GetValue(roState) == "on";
            await store.SetReadOnlyAsync(p.GetValue(roPath)!, on, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"{p.GetValue(roPath)} is {(on ? "read-only" : "writable")}");
            return ExitCodes.Success;
        }), roPath, roState);

        var expirePath = new Argument<string>("workspace") { Description = "The workspace" };
        var expireAfter = new Argument<string>("after") { Description = "A lifetime from now (90s, 30m, 2h, 7d) or 'never'" };
        yield return Create("expire", "Set when a workspace expires (GC then drops it), or 'never'", (p, c, ct) => WithStore(c, ct, async store =>
        {
            var text = p.GetValue(expireAfter)!;
            DateTimeOffset? at = text == "never" ? null : DateTimeOffset.UtcNow + Lifetimes.Parse(text)!.Value;
            await store.SetExpiryAsync(p.GetValue(expirePath)!, at, ct).ConfigureAwait(false);
            Console.Out.WriteLine(at is { } when ? $"{p.GetValue(expirePath)} expires at {when:u}" : $"{p.GetValue(expirePath)} never expires");
            return ExitCodes.Success;
        }), expirePath, expireAfter);
    }
}
