using FsCheck;
using FsCheck.Fluent;
using NoKV.Blocks;

namespace NoKV.Tests;

/// <summary>Every key NoKV writes obeys the block key rules, so every block store accepts it, and every prefix GC lists by is valid.</summary>
public sealed class BlockKeyFormatPropertyTests
{
    [Fact]
    public void Every_key_NoKV_forms_is_a_valid_block_key_and_parses_back()
    {
        var id = Gen.OneOf(Gen.Choose(0, 1000).Select(i => (long)i), Gen.Choose(0, int.MaxValue).Select(i => i * 4_294_967_291L), Gen.Constant(long.MaxValue));
        var keys =
            from workspace in id
            from inode in id
            from gen in id
            from chunk in Gen.Choose(0, int.MaxValue)
            select (workspace, inode, gen, chunk);
        Prop.ForAll(keys.ToArbitrary(), k =>
        {
            var (workspace, inode, gen, chunk) = k;
            var key = BlockKeys.Of(workspace, inode, gen, chunk);
            Assert.True(BlockKeyRules.IsValidKey(key), key);
            Assert.True(BlockKeys.TryParseGeneration(key, out var parsed) && parsed == gen, key);
            var pendingPrefix = key[..(key.LastIndexOf('/') + 1)];
            Assert.True(BlockKeyRules.IsValidPrefix(pendingPrefix), pendingPrefix);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500).WithQuietOnSuccess(true));
    }
}
