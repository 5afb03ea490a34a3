using NoKV;
using NoKV.Storage.S3;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts a registered NoKV store's blocks on S3.</summary>
public static class S3NoKVBuilderExtensions
{
    /// <summary>
    /// Keeps blocks in an S3 bucket (metadata stays in the store directory, which
    /// <see cref="NoKVBuilder.UseDirectory"/> sets). The options are checked here; the bucket is not
    /// contacted while the container resolves the store (that would block a thread on a network call):
    /// a missing bucket or refused credentials fail the first block operation with a
    /// <see cref="BlockStoreException"/> that names the problem. To fail fast at start-up, build the
    /// store yourself with <see cref="S3BlockStore.ConnectAsync"/> and pass it to <see cref="NoKVBuilder.UseBlockStore"/>.
    /// </summary>
    /// <example><code>services.AddNoKV(o => o.UseDirectory("/var/lib/nokv").UseS3Blocks(s3 => s3.BucketName = "agents"));</code></example>
    public static NoKVBuilder UseS3Blocks(this NoKVBuilder builder, Action<S3BlockStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new S3BlockStoreOptions();
        configure(options);
        options.Validated(); // fail at registration on a missing bucket name
        return builder.UseBlockStore(provider =>
            S3BlockStore.Create(options, provider.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()));
    }
}
