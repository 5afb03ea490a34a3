using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests.Faults;

/// <summary>One step of a fault-schedule scenario. Workspaces are "/w0".."/w2"; pins and handles are indexes into those taken so far.</summary>
public abstract record FaultOp;

public sealed record FCreate(int Ws) : FaultOp;
public sealed record FDrop(int Ws) : FaultOp;
/// <summary>A streamed write in <paramref name="Parts"/> calls; with <paramref name="CatchInside"/> the caller swallows a failed write call and disposes anyway.</summary>
public sealed record FWrite(int Ws, string Path, int Size, int Seed, int Parts, bool CatchInside) : FaultOp;
public sealed record FAppend(int Ws, string Path, int Size, int Seed) : FaultOp;
public sealed record FTruncate(int Ws, string Path, int Length) : FaultOp;
public sealed record FMkdir(int Ws, string Path) : FaultOp;
public sealed record FMove(int Ws, string From, string To) : FaultOp;
public sealed record FDelete(int Ws, string Path, bool Recursive) : FaultOp;
/// <summary>A snapshot of the workspace (Dir "/") or of a directory in it.</summary>
public sealed record FSnapshot(int Ws, string Dir) : FaultOp;
/// <summary>A clone of the workspace (Dir "/") or of a directory in it.</summary>
public sealed record FClone(int From, string Dir, int To) : FaultOp;
public sealed record FClonePin(int Pin, int To) : FaultOp;
public sealed record FRollback(int Ws, int Pin) : FaultOp;
public sealed record FRelease(int Pin) : FaultOp;
/// <summary>Keeps a Workspace handle, to be used after its workspace may have been dropped and re-created.</summary>
public sealed record FKeepHandle(int Ws) : FaultOp;
public sealed record FWriteThroughHandle(int Handle, string Path, int Seed) : FaultOp;
public sealed record FGc(bool Full) : FaultOp;
/// <summary>Verify and GC at once: Verify must find nothing but orphans pending GC.</summary>
public sealed record FVerifyDuringGc(bool Full) : FaultOp;
public sealed record FReopen : FaultOp;

/// <summary>A scenario: operations, and the faults armed while they run.</summary>
public sealed record FaultScenario(FaultOp[] Ops, Fault[] Faults)
{
    public override string ToString() => $"faults [{string.Join(", ", Faults.Select(f => f.ToString()))}] ops [{string.Join(", ", Ops.Select(o => o.ToString()))}]";
}

public static class FaultGen
{
    public const int Workspaces = 3;
    public static readonly string[] Files = ["/a", "/b", "/d/c", "/d/e/f"];
    public static readonly string[] Dirs = ["/d", "/d/e", "/x"];
    public static readonly string[] AllPaths = [.. Files, .. Dirs];
    // Chunk size 4096: empty, small, one chunk, a chunk plus one, several chunks.
    public static readonly int[] Sizes = [0, 7, 4096, 4097, 13000];

    private static Gen<int> Ws => Gen.Frequency((5, Gen.Constant(0)), (3, Gen.Constant(1)), (2, Gen.Constant(2)));
    private static Gen<int> Index => Gen.Choose(0, 15);

    public static Gen<FaultOp> Op => Gen.Frequency(
        (2, Ws.Select(w => (FaultOp)new FCreate(w))),
        (1, Ws.Select(w => (FaultOp)new FDrop(w))),
        (10, from w in Ws from p in Gen.Elements(AllPaths) from s in Gen.Elements(Sizes) from seed in Gen.Choose(0, 1000) from parts in Gen.Choose(1, 4) from c in Gen.Elements(false, true)
             select (FaultOp)new FWrite(w, p, s, seed, parts, c)),
        (3, from w in Ws from p in Gen.Elements(AllPaths) from s in Gen.Elements(Sizes) from seed in Gen.Choose(0, 1000) select (FaultOp)new FAppend(w, p, s, seed)),
        (2, from w in Ws from p in Gen.Elements(AllPaths) from l in Gen.Elements(Sizes) select (FaultOp)new FTruncate(w, p, l)),
        (3, from w in Ws from p in Gen.Elements(AllPaths) select (FaultOp)new FMkdir(w, p)),
        (2, from w in Ws from a in Gen.Elements(AllPaths) from b in Gen.Elements(AllPaths) select (FaultOp)new FMove(w, a, b)),
        (2, from w in Ws from p in Gen.Elements(AllPaths) from r in Gen.Elements(true, false) select (FaultOp)new FDelete(w, p, r)),
        (3, from w in Ws from d in Gen.Elements("/", "/", "/d") select (FaultOp)new FSnapshot(w, d)),
        (3, from a in Ws from d in Gen.Elements("/", "/", "/d") from b in Ws select (FaultOp)new FClone(a, d, b)),
        (1, from p in Index from b in Ws select (FaultOp)new FClonePin(p, b)),
        (3, from w in Ws from p in Index select (FaultOp)new FRollback(w, p)),
        (2, Index.Select(p => (FaultOp)new FRelease(p))),
        (1, Ws.Select(w => (FaultOp)new FKeepHandle(w))),
        (1, from h in Index from p in Gen.Elements(Files) from seed in Gen.Choose(0, 1000) select (FaultOp)new FWriteThroughHandle(h, p, seed)),
        (3, Gen.Elements(false, false, true).Select(f => (FaultOp)new FGc(f))),
        (1, Gen.Elements(false, true).Select(f => (FaultOp)new FVerifyDuringGc(f))),
        (1, Gen.Constant((FaultOp)new FReopen())));

    /// <summary>Scenarios start with a workspace holding a directory, so most steps have something to act on.</summary>
    public static Arbitrary<FaultScenario> Scenarios(int maxLength) => Arb.From(
        from length in Gen.Choose(1, maxLength)
        from ops in Op.ArrayOf(length)
        from faults in FaultInjector.Schedules
        select new FaultScenario([new FCreate(0), new FMkdir(0, "/d/e"), .. ops], faults),
        Shrink);

    /// <summary>Shrinks the faults first (one by one), then the steps (halves, then single steps; the prologue stays).</summary>
    private static IEnumerable<FaultScenario> Shrink(FaultScenario s)
    {
        for (var i = 0; i < s.Faults.Length; i++) yield return s with { Faults = [.. s.Faults[..i], .. s.Faults[(i + 1)..]] };
        var ops = s.Ops;
        if (ops.Length <= 2) yield break;
        var body = ops.Length - 2;
        if (body >= 2)
        {
            yield return s with { Ops = [.. ops[..2], .. ops[(2 + body / 2)..]] };
            yield return s with { Ops = ops[..(2 + body / 2)] };
        }
        for (var i = ops.Length - 1; i >= 2; i--) yield return s with { Ops = [.. ops[..i], .. ops[(i + 1)..]] };
    }
}
