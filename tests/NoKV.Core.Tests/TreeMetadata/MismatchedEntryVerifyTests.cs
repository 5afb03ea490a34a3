using NoKV.Lmdb;

namespace NoKV.Tests.TreeMetadata;

/// <summary>Verify catches a directory entry whose kind disagrees with its inode (path walks trust the entry).</summary>
public sealed class MismatchedEntryVerifyTests
{
    [Fact]
    public void A_link_listed_as_a_directory_is_reported()
    {
        using var temp = new TempStore();
        var ws = temp.Store.CreateWorkspace("/ws");
        var link = ws.CreateSymbolicLink("/l", "target");
        Assert.True(temp.Store.Verify().IsHealthy);

        // Damage: the entry claims a directory, so a path walk would descend into the link.
        temp.Store.Mutations.WithHead(ws.Ref, (writer, _) =>
        {
            writer.PutDentry(ws.RootInode, "l"u8.ToArray(), new DentryRecord(link.Inode, RecordKind.Directory));
            return true;
        });

        var report = temp.Store.Verify();
        var problem = Assert.Single(report.Problems);
        Assert.Equal(StoreProblemKind.MismatchedEntry, problem.Kind);
        Assert.Equal("/l", problem.Path);
    }
}
