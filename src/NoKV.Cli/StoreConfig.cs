using System.Text.Json;
using System.Text.Json.Serialization;

namespace NoKV.Cli;

/// <summary>
/// What `nokv init` records in {store}/nokv.json so later commands open the store the same way:
/// where blocks live. Credentials are never recorded (they come from the AWS environment).
/// </summary>
internal sealed class StoreConfig
{
    public const string FileName = "nokv.json";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [JsonPropertyName("blocks")] public string Blocks { get; set; } = "local";
    [JsonPropertyName("s3Bucket")] public string? S3Bucket { get; set; }
    [JsonPropertyName("s3Prefix")] public string? S3Prefix { get; set; }
    [JsonPropertyName("s3Endpoint")] public string? S3Endpoint { get; set; }

    public static StoreConfig? Load(string storeDirectory)
    {
        var path = Path.Combine(storeDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<StoreConfig>(File.ReadAllText(path)) ?? throw new UsageException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new UsageException($"{path} is not valid: {e.Message}");
        }
    }

    public void Save(string storeDirectory) =>
        File.WriteAllText(Path.Combine(storeDirectory, FileName), JsonSerializer.Serialize(this, Indented));
}
