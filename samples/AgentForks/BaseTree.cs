using NoKV;

/// <summary>Generates the base workspace: a small source tree plus one large binary weights file.</summary>
internal static class BaseTree
{
    public const int SourceFiles = 200;
    private const int WeightsBytes = 64 * 1024 * 1024;

    public static async Task<long> WriteAsync(Workspace ws)
    {
        long bytes = 0;
        for (var i = 0; i < SourceFiles; i++)
        {
            var dir = $"/src/module{i % 10}";
            if (i < 10) ws.CreateDirectory(dir);
            var text = System.Text.Encoding.UTF8.GetBytes($"// file {i}\nnamespace Module{i % 10};\n\npublic static class Type{i}\n{{\n    public static int Value => {i};\n}}\n");
            await ws.WriteAllBytesAsync($"{dir}/Type{i}.cs", text);
            bytes += text.Length;
        }
        ws.CreateDirectory("/models");
        var chunk = new byte[1024 * 1024];
        var random = new Random(7);
        await using (var weights = ws.OpenWrite("/models/weights.bin"))
        {
            for (var written = 0; written < WeightsBytes; written += chunk.Length)
            {
                random.NextBytes(chunk);
                await weights.WriteAsync(chunk);
            }
        }
        return bytes + WeightsBytes;
    }
}
