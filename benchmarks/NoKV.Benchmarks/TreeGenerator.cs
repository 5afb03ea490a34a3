using System.Globalization;

/// <summary>A synthetic source tree: files spread over 10 top directories and 100 subdirectories each.</summary>
internal static class TreeGenerator
{
    public static string PathOf(int i) => string.Create(CultureInfo.InvariantCulture, $"/dir{i % 10}/sub{i / 10 % 100}/file{i}.txt");

    public static void Write(string root, int files)
    {
        for (var i = 0; i < files; i++)
        {
            var path = Path.Combine(root, PathOf(i)[1..]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"content of file {i}\n"));
        }
    }
}
