using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests.Model;

/// <summary>One step of a generated scenario. Workspaces are "/w0".."/w3"; pins are indexes into the pins taken so far.</summary>
public abstract record ModelOp;

public sealed record CreateWs(int Ws) : ModelOp;
public sealed record DropWs(int Ws) : ModelOp;
public sealed record WriteFile(int Ws, string Path, int Size, int Seed) : ModelOp;
public sealed record AppendFile(int Ws, string Path, int Size, int Seed) : ModelOp;
public sealed record TruncateFile(int Ws, string Path, int Length) : ModelOp;
public sealed record MakeDir(int Ws, string Path) : ModelOp;
public sealed record MoveNode(int Ws, string From, string To) : ModelOp;
public sealed record DeleteNode(int Ws, string Path, bool Recursive) : ModelOp;
public sealed record TakeSnapshot(int Ws) : ModelOp;
/// <summary>Snapshot of a directory inside a workspace ("/w0/d").</summary>
public sealed record TakeSubtreeSnapshot(int Ws, string Dir) : ModelOp;
public sealed record CloneWs(int From, int To) : ModelOp;
/// <summary>Clone of a directory inside a workspace into a new workspace rooted at that directory.</summary>
public sealed record CloneDir(int From, string Dir, int To) : ModelOp;
public sealed record ClonePin(int Pin, int To) : ModelOp;
public sealed record RollbackWs(int Ws, int Pin) : ModelOp;
/// <summary>Rollback of a directory inside a workspace to a snapshot of that directory (the reverse delta is written).</summary>
public sealed record RollbackDir(int Ws, string Dir, int Pin) : ModelOp;
public sealed record ReleasePin(int Pin) : ModelOp;
public sealed record DiffWs(int A, int B) : ModelOp;
public sealed record DiffPin(int Pin, int Ws) : ModelOp;
public sealed record CollectGarbage(bool Full) : ModelOp;
/// <summary>Sets a workspace's expiry Seconds from the clock's now (negative: clears it).</summary>
public sealed record SetWsExpiry(int Ws, int Seconds) : ModelOp;
/// <summary>Sets a snapshot's expiry Seconds from the clock's now (negative: clears it).</summary>
public sealed record SetPinExpiry(int Pin, int Seconds) : ModelOp;
/// <summary>Marks a workspace read-only or writable again.</summary>
public sealed record SetReadOnlyWs(int Ws, bool ReadOnly) : ModelOp;
/// <summary>Moves the store's clock forward.</summary>
public sealed record AdvanceClock(int Seconds) : ModelOp;
public sealed record ReopenStore : ModelOp;
/// <summary>A symbolic link at a path, to one of <see cref="ModelGen.LinkTargets"/> (some of them invalid).</summary>
public sealed record CreateLink(int Ws, string Path, int Target) : ModelOp
{
    public override string ToString() => $"CreateLink {{ Ws = {Ws}, Path = {Path}, Target = {ModelGen.Describe(ModelGen.LinkTargets[Target])} }}";
}
/// <summary>chmod; the bits may lie beyond 07777 (refused).</summary>
public sealed record ChangeMode(int Ws, string Path, int Bits) : ModelOp
{
    public override string ToString() => $"ChangeMode {{ Ws = {Ws}, Path = {Path}, Bits = 0{Convert.ToString(Bits, 8)} }}";
}
/// <summary>lchown; the ids may be out of range (refused).</summary>
public sealed record ChangeOwner(int Ws, string Path, long OwnerId, long GroupId) : ModelOp;
/// <summary>touch -m to one of <see cref="ModelGen.Times"/>.</summary>
public sealed record SetWriteTime(int Ws, string Path, int Time) : ModelOp;
/// <summary>Stat, list and read of a path, each refused as the model predicts (through a link, of a link, of a directory).</summary>
public sealed record ReadNode(int Ws, string Path) : ModelOp;

public static class ModelGen
{
    public const int Workspaces = 4;
    public static readonly string[] Files = ["/a", "/b", "/d/c", "/d/e/f"];
    public static readonly string[] Dirs = ["/d", "/d/e", "/x"];
    public static readonly string[] AllPaths = [.. Files, .. Dirs];
    /// <summary>Where attribute changes and reads aim: every path, the root, and one below a file or link.</summary>
    public static readonly string[] AttributePaths = [.. AllPaths, "/", "/a/z"];

    /// <summary>Link targets: relative, absolute, dangling, multi-byte, the longest allowed; then three invalid ones.</summary>
    public static readonly string[] LinkTargets = ["/a", "d/c", "../x", "nowhere", "d", "dïr/ü→", new string('t', 4095), "", "bad\0nul", new string('t', 4096)];
    public static bool IsValidTarget(int index) => index < LinkTargets.Length - 3;

    public static readonly int[] ModeBits = [0x1A4, 0x1ED, 0x180, 0x9ED, 0x3FF, 0, 0xFFF, 0x1000, -1];
    public static readonly long[] Ids = [0, 1000, 65534, 4294967294, -1, 4294967295];
    public static bool IsValidId(long id) => id is >= 0 and <= 4294967294;

    public static readonly DateTimeOffset[] Times =
    [
        DateTimeOffset.UnixEpoch,
        new DateTimeOffset(2001, 2, 3, 4, 5, 6, 789, TimeSpan.FromHours(5)).AddTicks(1234),
        new DateTimeOffset(2031, 12, 31, 23, 59, 59, TimeSpan.FromHours(-8)).AddTicks(9999),
        DateTimeOffset.MinValue,
        DateTimeOffset.MaxValue,
    ];

    public static string Describe(string target) => target.Length > 20 ? $"{target.Length} chars" : target.Replace("\0", "\\0", StringComparison.Ordinal);

    // 0 bytes, small, exactly one chunk, a chunk plus one, several chunks (chunk size 4096).
    public static readonly int[] Sizes = [0, 7, 4096, 4097, 9000];

    // Biased toward the first workspaces, so most steps act on one that exists.
    private static Gen<int> Ws => Gen.Frequency((5, Gen.Constant(0)), (4, Gen.Constant(1)), (2, Gen.Constant(2)), (1, Gen.Constant(3)));
    private static Gen<int> Pin => Gen.Choose(0, 20);

    public static Gen<ModelOp> Op => Gen.Frequency(
        (3, Ws.Select(w => (ModelOp)new CreateWs(w))),
        (1, Ws.Select(w => (ModelOp)new DropWs(w))),
        (10, from w in Ws from p in Gen.Elements(AllPaths) from s in Gen.Elements(Sizes) from seed in Gen.Choose(0, 1000) select (ModelOp)new WriteFile(w, p, s, seed)),
        (4, from w in Ws from p in Gen.Elements(AllPaths) from s in Gen.Elements(Sizes) from seed in Gen.Choose(0, 1000) select (ModelOp)new AppendFile(w, p, s, seed)),
        (3, from w in Ws from p in Gen.Elements(AllPaths) from l in Gen.Elements(Sizes) select (ModelOp)new TruncateFile(w, p, l)),
        (4, from w in Ws from p in Gen.Elements(AllPaths) select (ModelOp)new MakeDir(w, p)),
        (3, from w in Ws from a in Gen.Elements(AllPaths) from b in Gen.Elements(AllPaths) select (ModelOp)new MoveNode(w, a, b)),
        (3, from w in Ws from p in Gen.Elements(AllPaths) from r in Gen.Elements(true, false) select (ModelOp)new DeleteNode(w, p, r)),
        (3, Ws.Select(w => (ModelOp)new TakeSnapshot(w))),
        (2, from w in Ws from d in Gen.Elements(Dirs) select (ModelOp)new TakeSubtreeSnapshot(w, d)),
        (3, from a in Ws from b in Ws select (ModelOp)new CloneWs(a, b)),
        (2, from a in Ws from d in Gen.Elements(Dirs) from b in Ws select (ModelOp)new CloneDir(a, d, b)),
        (2, from p in Pin from b in Ws select (ModelOp)new ClonePin(p, b)),
        (3, from w in Ws from p in Pin select (ModelOp)new RollbackWs(w, p)),
        (3, from w in Ws from d in Gen.Elements(Dirs) from p in Pin select (ModelOp)new RollbackDir(w, d, p)),
        (2, Pin.Select(p => (ModelOp)new ReleasePin(p))),
        (2, from a in Ws from b in Ws select (ModelOp)new DiffWs(a, b)),
        (2, from p in Pin from b in Ws select (ModelOp)new DiffPin(p, b)),
        (2, Gen.Elements(false, false, true).Select(f => (ModelOp)new CollectGarbage(f))),
        (1, from w in Ws from s in Gen.Elements(-1, 0, 30, 120) select (ModelOp)new SetWsExpiry(w, s)),
        (1, from p in Pin from s in Gen.Elements(-1, 0, 30, 120) select (ModelOp)new SetPinExpiry(p, s)),
        (1, Gen.Elements(10, 60, 200).Select(s => (ModelOp)new AdvanceClock(s))),
        (2, from w in Ws from r in Gen.Elements(true, false) select (ModelOp)new SetReadOnlyWs(w, r)),
        (1, Gen.Constant((ModelOp)new ReopenStore())),
        (4, from w in Ws from p in Gen.Elements(AttributePaths) from t in Gen.Frequency((6, Gen.Choose(0, LinkTargets.Length - 4)), (1, Gen.Choose(LinkTargets.Length - 3, LinkTargets.Length - 1))) select (ModelOp)new CreateLink(w, p, t)),
        (3, from w in Ws from p in Gen.Elements(AttributePaths) from m in Gen.Elements(ModeBits) select (ModelOp)new ChangeMode(w, p, m)),
        (2, from w in Ws from p in Gen.Elements(AttributePaths) from u in Gen.Elements(Ids) from g in Gen.Elements(Ids) select (ModelOp)new ChangeOwner(w, p, u, g)),
        (2, from w in Ws from p in Gen.Elements(AttributePaths) from t in Gen.Choose(0, Times.Length - 1) select (ModelOp)new SetWriteTime(w, p, t)),
        (2, from w in Ws from p in Gen.Elements(AttributePaths) select (ModelOp)new ReadNode(w, p)));

    /// <summary>Scenarios start by creating the first workspace, so most steps have something to act on.</summary>
    public static Arbitrary<ModelOp[]> Scenarios(int maxLength) => Arb.From(
        from length in Gen.Choose(1, maxLength)
        from ops in Op.ArrayOf(length)
        select (ModelOp[])[new CreateWs(0), new MakeDir(0, "/d/e"), new CreateWs(1), .. ops],
        Shrink);

    /// <summary>Shrinks by dropping halves, then single steps (the fixed prologue stays unless dropped one by one).</summary>
    private static IEnumerable<ModelOp[]> Shrink(ModelOp[] ops)
    {
        if (ops.Length <= 1) yield break;
        var half = (ops.Length - 1) / 2;
        if (half >= 1)
        {
            yield return [ops[0], .. ops[(1 + half)..]];
            yield return ops[..(1 + half)];
        }
        for (var i = ops.Length - 1; i >= 1; i--) yield return [.. ops[..i], .. ops[(i + 1)..]];
    }
}
