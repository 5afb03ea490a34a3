using System.Text;

namespace NoKV.Cli.Tests;

public sealed class S3StoreTests : IDisposable
{
    private readonly Nokv _nokv = new();

    public void Dispose() => _nokv.Dispose();

    [SkippableFact]
    public void Init_with_s3_flags_keeps_blocks_on_s3_for_later_commands()
    {
        var endpoint = Environment.GetEnvironmentVariable("NOKV_S3_ENDPOINT");
        Skip.If(endpoint is null && Environment.GetEnvironmentVariable("CI") != "true", "No S3-compatible server: set NOKV_S3_ENDPOINT (see .ci/run).");
        var bucket = Environment.GetEnvironmentVariable("NOKV_S3_BUCKET") ?? "nokv-test";
        var prefix = "cli-" + Guid.NewGuid().ToString("N");

        var init = _nokv.Ok("init", "--s3-bucket", bucket, "--s3-prefix", prefix, "--s3-endpoint", endpoint!);
        Assert.Contains($"blocks: s3://{bucket}/{prefix}", init.Stdout, StringComparison.Ordinal);

        _nokv.Ok("create", "/base");
        var data = new byte[300_000];
        new Random(1).NextBytes(data);
        _nokv.RunWithInput(data, "put", "/base/weights", "-");
        Assert.Equal(data, _nokv.Ok("cat", "/base/weights").StdoutBytes);
        Assert.False(Directory.Exists(Path.Combine(_nokv.Store, "blocks"))); // no local block directory at all
        Assert.Contains("\"s3Bucket\"", File.ReadAllText(Path.Combine(_nokv.Store, "nokv.json")), StringComparison.Ordinal);
        Assert.StartsWith("store is healthy", _nokv.Ok("fsck").Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Init_with_a_missing_bucket_fails_and_leaves_nothing()
    {
        var endpoint = Environment.GetEnvironmentVariable("NOKV_S3_ENDPOINT");
        Skip.If(endpoint is null && Environment.GetEnvironmentVariable("CI") != "true", "No S3-compatible server: set NOKV_S3_ENDPOINT (see .ci/run).");
        var result = _nokv.Run("init", "--s3-bucket", "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8], "--s3-endpoint", endpoint!);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("does not exist", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_nokv.Store));
    }
}
