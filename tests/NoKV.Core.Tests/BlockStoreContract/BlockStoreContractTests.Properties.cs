using FsCheck;
using FsCheck.Fluent;

namespace NoKV.Tests.BlockStoreContract;

/// <summary>
/// The contract's generated cases: listing by any prefix returns exactly the stored keys that start
/// with it (ordinal), and a store accepts exactly the keys <see cref="BlockKeyRules"/> calls valid.
/// Segments come from a tiny alphabet so generated keys share prefixes often.
/// </summary>
public abstract partial class BlockStoreContractTests
{
    // Same depth for every key: a key that is a whole-segment prefix of another is outside the contract.
    private static readonly Gen<string> Segment = Gen.Elements("0", "1", "10", "11", "a", "a.b", "a_", "-");
    private static readonly Gen<string> Key = Gen.ArrayOf(Segment, 3).Select(s => string.Join('/', s));

    public sealed record ListingCase(string[] Keys, string Prefix)
    {
        public override string ToString() => $"keys [{string.Join(", ", Keys)}], prefix '{Prefix}'";
    }

    private static readonly Gen<ListingCase> ListingCases =
        from keys in Gen.NonEmptyListOf(Key).Select(k => k.Distinct().ToArray())
        from source in Gen.OneOf(Gen.Elements(keys), Key)
        from cut in Gen.Choose(0, source.Length)
        select new ListingCase(keys, source[..cut]);

    [SkippableFact]
    public void Listing_by_any_prefix_returns_exactly_the_keys_that_start_with_it()
    {
        RequireBackend(); // not inside the property: FsCheck would report the skip as a failure
        Prop.ForAll(ListingCases.ToArbitrary(), c =>
        {
            var store = CreateStore();
            try
            {
                foreach (var key in c.Keys) store.PutAsync(key, new byte[] { 1 }).AsTask().GetAwaiter().GetResult();
                var expected = c.Keys.Where(k => k.StartsWith(c.Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
                var listed = KeysAsync(store, c.Prefix).GetAwaiter().GetResult();
                Assert.True(expected.SequenceEqual(listed), $"{c}: expected [{string.Join(", ", expected)}], listed [{string.Join(", ", listed)}]");
            }
            finally
            {
                store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(PropertyCases).WithQuietOnSuccess(true));
    }

    private static readonly Gen<string> AnyText =
        Gen.ArrayOf(Gen.Elements('a', '0', '.', '/', '-', '_', ' ', 't', 'm', 'p', '\\', 'é')).Select(c => new string(c));

    [SkippableFact]
    public async Task A_store_accepts_exactly_the_keys_the_rules_call_valid()
    {
        RequireBackend();
        await using var store = CreateStore();
        Prop.ForAll(AnyText.ToArbitrary(), key =>
        {
            if (BlockKeyRules.IsValidKey(key))
            {
                store.PutAsync(key, new byte[] { 7 }).AsTask().GetAwaiter().GetResult();
                Assert.True(store.ExistsAsync(key).AsTask().GetAwaiter().GetResult(), $"'{key}' was stored but does not exist");
                Assert.True(store.DeleteAsync(key).AsTask().GetAwaiter().GetResult(), $"'{key}' was stored but could not be deleted");
            }
            else
            {
                Assert.Throws<ArgumentException>(() => store.PutAsync(key, new byte[] { 7 }).AsTask().GetAwaiter().GetResult());
            }
            Assert.True(BlockKeyRules.IsValidPrefix(key) == IsListable(store, key), $"prefix '{key}': the rules and the store disagree");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(PropertyCases).WithQuietOnSuccess(true));
        Assert.Empty(await KeysAsync(store, ""));
    }

    private static bool IsListable(IBlockStore store, string prefix)
    {
        try
        {
            KeysAsync(store, prefix).GetAwaiter().GetResult();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
