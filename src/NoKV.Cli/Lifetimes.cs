using System.CommandLine;
using System.Globalization;

namespace NoKV.Cli;

/// <summary>Lifetimes on the command line: "--ttl 90s|30m|2h|7d" (or a TimeSpan, "01:30:00").</summary>
internal static class Lifetimes
{
    public static Option<string?> TtlOption() => new("--ttl") { Description = "Expire after this long (90s, 30m, 2h, 7d); GC then drops it" };

    /// <summary>The parsed lifetime, or null when none was given.</summary>
    /// <exception cref="UsageException">The text is not a duration.</exception>
    public static TimeSpan? Parse(string? text)
    {
        if (text is null) return null;
        var unit = text.Length > 1 ? char.ToLowerInvariant(text[^1]) : '\0';
        var scale = unit switch { 's' => 1.0, 'm' => 60.0, 'h' => 3600.0, 'd' => 86400.0, _ => 0.0 };
        if (scale > 0 && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) && amount * scale < TimeSpan.MaxValue.TotalSeconds)
            return TimeSpan.FromSeconds(amount * scale);
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span)) return span;
        throw new UsageException($"'{text}' is not a duration; use e.g. 90s, 30m, 2h, 7d or 01:30:00");
    }
}
