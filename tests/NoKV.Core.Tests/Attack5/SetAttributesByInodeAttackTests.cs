using NoKV.Engine;

namespace NoKV.Tests;

/// <summary>attack5: setattr by inode on inodes that are gone or belong elsewhere: typed, and nothing changes.</summary>
public sealed class SetAttributesByInodeAttackTests : IDisposable
{
    private readonly TempStore _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Setattr_of_a_deleted_inode_or_another_workspace_inode_is_typed_and_changes_nothing()
    {
        var store = _temp.Store;
        var ws = store.CreateWorkspace("/ws");
        var other = store.CreateWorkspace("/other");
        await ws.Write("/gone", "g");
        await other.Write("/theirs", "t");
        var gone = ws.Stat("/gone").Inode;
        var theirs = other.Stat("/theirs").Inode;
        ws.Delete("/gone");
        var (mine, others) = (AttackTree.Lines(ws), AttackTree.Lines(other));

        Assert.ThrowsAny<NoKVException>(() => store.Mutations.SetAttributes(ws.Ref, gone, new AttributeChange(Mode: 0x1C0)));
        Assert.ThrowsAny<NoKVException>(() => store.Mutations.SetAttributes(ws.Ref, theirs, new AttributeChange(OwnerId: 5)));
        Assert.ThrowsAny<NoKVException>(() => store.Mutations.SetAttributes(ws.Ref, long.MaxValue, new AttributeChange(ModifiedUtcTicks: 0)));
        Assert.ThrowsAny<NoKVException>(() => store.Mutations.CreateSymbolicLink(ws.Ref, gone, "l", "t"));

        Assert.Equal(mine, AttackTree.Lines(ws));
        Assert.Equal(others, AttackTree.Lines(other));
        Assert.True(store.Verify().IsHealthy);
    }
}
