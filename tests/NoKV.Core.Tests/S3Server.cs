using Amazon.Runtime;
using Amazon.S3;
using NoKV.Storage.S3;

namespace NoKV.Tests;

/// <summary>
/// The S3-compatible server the S3 tests run against: NOKV_S3_ENDPOINT (e.g.
/// http://127.0.0.1:4569) and NOKV_S3_BUCKET, with credentials in AWS_ACCESS_KEY_ID /
/// AWS_SECRET_ACCESS_KEY (.ci/run starts s3rver and sets them). Outside CI the tests skip,
/// saying why, when it is absent; in CI (CI=true) they run and fail without it.
/// </summary>
public static class S3Server
{
    public static string? Endpoint => Environment.GetEnvironmentVariable("NOKV_S3_ENDPOINT");
    public static string Bucket => Environment.GetEnvironmentVariable("NOKV_S3_BUCKET") ?? "nokv-test";

    public static string? SkipReason =>
        Endpoint is null && Environment.GetEnvironmentVariable("CI") != "true"
            ? "No S3-compatible server: set NOKV_S3_ENDPOINT (see .ci/run, which starts s3rver)."
            : null;

    public static S3BlockStoreOptions Options(string prefix) => new()
    {
        BucketName = Bucket,
        Prefix = prefix,
        ServiceUrl = Endpoint ?? throw new InvalidOperationException("NOKV_S3_ENDPOINT is required in CI."),
        ForcePathStyle = true,
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
    };

    /// <summary>A store under a fresh prefix of the test bucket, so tests never see each other's blocks.</summary>
    public static S3BlockStore NewStore() =>
        S3BlockStore.ConnectAsync(Options("t-" + Guid.NewGuid().ToString("N") + "/")).GetAwaiter().GetResult();

    /// <summary>A client built with a handler of the test's choosing (fault injection at the HTTP level).</summary>
    public static IAmazonS3 ClientWith(Func<HttpMessageHandler, HttpMessageHandler> wrap)
    {
        var config = S3BlockStore.CreateClientConfig(Options("unused"));
        config.HttpClientFactory = new WrappingHttpClientFactory(wrap);
        return new AmazonS3Client(config);
    }

    private sealed class WrappingHttpClientFactory(Func<HttpMessageHandler, HttpMessageHandler> wrap) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(wrap(new HttpClientHandler()));
        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;
        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
        public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
    }
}

/// <summary>A fact that needs the S3 server.</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute() => Skip = S3Server.SkipReason;
}
