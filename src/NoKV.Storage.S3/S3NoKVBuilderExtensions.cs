using NoKV;
using NoKV.Storage.S3;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts a registered NoKV store's blocks on S3.</summary>
public static class S3NoKVBuilderExtensions
{
    /// <summary>
    /// Keeps blocks in an S3 bucket (metadata stays in the store directory, which
    /// <see cref="NoKVBuilder.UseDirectory"/> sets). The bucket is checked when the store is first resolved.
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
            S3BlockStore.ConnectAsync(options, provider.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()).GetAwaiter().GetResult());
    }
}
