using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests.Faults;

/// <summary>The calls a fault schedule can fail: each block-store operation, and each metadata commit.</summary>
public enum FaultTarget { Put, Read, Delete, Exists, List, Commit }

/// <summary>
/// One fault: calls number <see cref="FirstCall"/> .. FirstCall+Repeat-1 of <see cref="Target"/>
/// (counted over the whole sequence, only while faults are armed) fail. <see cref="AfterWork"/>
/// means the call does its work first and then throws: a PUT that stored the block, a delete that
/// deleted, a commit that landed — the caller cannot tell.
/// </summary>
public sealed record Fault(FaultTarget Target, int FirstCall, int Repeat, bool AfterWork)
{
    public bool Covers(FaultTarget target, long call) => target == Target && call >= FirstCall && call < FirstCall + (long)Repeat;

    public override string ToString() => $"{Target}#{FirstCall}{(Repeat == 1 ? "" : Repeat == int.MaxValue ? "+" : "x" + Repeat)}{(AfterWork ? "(after)" : "")}";
}

/// <summary>The exception every injected fault throws, so the runner can tell it from NoKV refusing an operation.</summary>
public sealed class InjectedFaultException(string message) : IOException(message)
{
    /// <summary>True if <paramref name="e"/> is, or was caused by, an injected fault.</summary>
    public static bool IsIn(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is InjectedFaultException) return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsIn)) return true;
        }
        return false;
    }
}

/// <summary>
/// Decides, call by call, whether an armed schedule fails the call. Thread-safe: uploads run in
/// parallel and GC can run beside Verify.
/// </summary>
public sealed class FaultInjector(IReadOnlyList<Fault> faults)
{
    private readonly long[] _calls = new long[Enum.GetValues<FaultTarget>().Length];
    private volatile bool _armed;

    public IReadOnlyList<Fault> Faults { get; } = faults;

    /// <summary>Faults hit only while armed: the runner arms them for an operation and disarms them to check the result.</summary>
    public bool Armed { get => _armed; set => _armed = value; }

    /// <summary>Faults that fired so far.</summary>
    public int Fired => _fired;
    private int _fired;

    /// <summary>Counts a call; returns the fault that hits it, if any.</summary>
    public Fault? Next(FaultTarget target)
    {
        if (!_armed) return null;
        var call = Interlocked.Increment(ref _calls[(int)target]) - 1;
        var fault = Faults.FirstOrDefault(f => f.Covers(target, call));
        if (fault is not null) Interlocked.Increment(ref _fired);
        return fault;
    }

    public static InjectedFaultException Fail(Fault fault, string what) => new($"injected fault {fault} on {what}");

    /// <summary>Runs a call under the schedule: throws before it, or after it did its work.</summary>
    public async ValueTask<T> Run<T>(FaultTarget target, string what, Func<ValueTask<T>> call)
    {
        var fault = Next(target);
        if (fault is { AfterWork: false }) throw Fail(fault, what);
        var result = await call().ConfigureAwait(false);
        if (fault is not null) throw Fail(fault, what);
        return result;
    }

    /// <summary>Installs the commit half of the schedule on a store's metadata.</summary>
    public void Install(WorkspaceStore store)
    {
        Fault? current = null;
        store.Meta.CommitFaults = phase =>
        {
            if (phase == Lmdb.CommitPhase.BeforeCommit)
            {
                current = Next(FaultTarget.Commit);
                if (current is { AfterWork: false }) throw Fail(current, "metadata commit");
            }
            else if (current is not null)
            {
                var fired = current;
                current = null;
                throw Fail(fired, "metadata commit (it landed)");
            }
        };
    }

    /// <summary>0–4 faults, each once, a few times, or from then on.</summary>
    public static Gen<Fault[]> Schedules =>
        (from target in Gen.Frequency(
                (4, Gen.Constant(FaultTarget.Put)), (2, Gen.Constant(FaultTarget.Read)), (2, Gen.Constant(FaultTarget.Delete)),
                (1, Gen.Constant(FaultTarget.Exists)), (1, Gen.Constant(FaultTarget.List)), (4, Gen.Constant(FaultTarget.Commit)))
         from first in Gen.Frequency((3, Gen.Choose(0, 8)), (2, Gen.Choose(9, 40)))
         from repeat in Gen.Frequency((6, Gen.Constant(1)), (2, Gen.Choose(2, 4)), (1, Gen.Constant(int.MaxValue)))
         from after in Gen.Elements(false, true)
         select new Fault(target, first, repeat, after)).ArrayOf().Select(a => a.Take(4).ToArray());
}
