using Microsoft.Extensions.DependencyInjection;
using NoKV.Storage.S3;

namespace NoKV.Tests;

/// <summary>
/// The S3 store built by UseS3Blocks is not checked by a blocking call while the container resolves
/// it; a missing bucket still fails with an error that names it, on the first request.
/// </summary>
public sealed class S3SetupErrorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nokv-s3setup-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    private static S3BlockStoreOptions MissingBucket()
    {
        var options = S3Server.Options("x/");
        options.BucketName = "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8];
        return options;
    }

    [Fact]
    public void A_prefix_that_leaves_no_room_for_a_block_key_is_refused_at_construction()
    {
        var options = new S3BlockStoreOptions { BucketName = "b", ServiceUrl = "http://127.0.0.1:1", Prefix = new string('p', 600) };
        var e = Assert.Throws<ArgumentException>(() => S3BlockStore.Create(options, loggerFactory: null));
        Assert.Contains("1,024", e.Message, StringComparison.Ordinal);
        options.Prefix = new string('p', 511); // 512 bytes with the '/' added
        S3BlockStore.Create(options, loggerFactory: null).Dispose();
    }

    [S3Fact]
    public async Task Every_operation_on_a_missing_bucket_says_the_bucket_does_not_exist()
    {
        var options = MissingBucket();
        await using var store = S3BlockStore.Create(options, loggerFactory: null);

        var put = await Assert.ThrowsAsync<BlockStoreException>(async () => await store.PutAsync("1/2/3/0", new byte[] { 1 }));
        Assert.Contains($"bucket '{options.BucketName}' does not exist", put.Message, StringComparison.Ordinal);
        Assert.False(put.IsTransient);
        var list = await Assert.ThrowsAsync<BlockStoreException>(async () =>
        {
            await foreach (var _ in store.ListAsync("")) { }
        });
        Assert.Contains("does not exist", list.Message, StringComparison.Ordinal);
    }

    [S3Fact]
    public void A_new_store_on_a_missing_bucket_fails_to_resolve_naming_the_bucket()
    {
        var template = MissingBucket();
        var services = new ServiceCollection().AddNoKV(o => o.UseDirectory(_dir).UseS3Blocks(s3 =>
        {
            s3.BucketName = template.BucketName;
            s3.Prefix = template.Prefix;
            s3.ServiceUrl = template.ServiceUrl;
            s3.ForcePathStyle = true;
        }));
        using var provider = services.BuildServiceProvider();

        // Opening a new store asks the block store whether blocks are already there: the first request.
        var e = Assert.Throws<BlockStoreException>(() => provider.GetRequiredService<WorkspaceStore>());
        Assert.Contains($"bucket '{template.BucketName}' does not exist", e.Message, StringComparison.Ordinal);
    }
}
