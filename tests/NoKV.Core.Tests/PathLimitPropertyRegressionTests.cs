using System.Reflection;

namespace NoKV.Tests;

/// <summary>
/// Cases <see cref="PathLimitPropertyTests"/> found, replayed through its own runner so they run
/// every time. The first came from CI: a diff between a moved directory of a clone-of-a-directory
/// and its fork walked up from a changed node past the clone's root into the source workspace's
/// tree (a clone of a directory shares its source's layers, and its root keeps its source
/// parent), passed 256 segments and threw "Inode 271 in layer 4 is deeper than 256 segments"
/// for a node that was simply outside the diffed subtree.
/// </summary>
public sealed class PathLimitPropertyRegressionTests
{
    private static PathLimitPropertyTests.Operation Op(int kind, int workspace, int from, int to, int depth, int nameLength) =>
        new(kind, workspace, from, to, depth, nameLength);

    [Fact]
    public void A_diff_under_a_clone_of_a_deep_directory_does_not_climb_into_the_source_tree()
    {
        // Clone a directory 168 deep; import a 29-deep chain into the clone; clone one of its
        // directories; move that directory deeper in the first clone; edit the fork, diff, promote.
        Replay(new PathLimitPropertyTests.Scenario(249, 1, [],
        [
            Op(1, 28, 3418, 8983, 52, 40), Op(2, 33, 6690, 5223, 50, 200), Op(1, 53, 3428, 5978, 26, 40),
            Op(5, 3, 7253, 2086, 42, 40), Op(3, 31, 9025, 3655, 40, 1),
        ]));
    }

    private static void Replay(PathLimitPropertyTests.Scenario scenario)
    {
        var runner = typeof(PathLimitPropertyTests);
        var stats = Activator.CreateInstance(runner.GetNestedType("Stats", BindingFlags.NonPublic)!, nonPublic: true);
        try
        {
            runner.GetMethod("Run", BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, [scenario, stats]);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
        }
    }
}
