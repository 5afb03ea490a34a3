namespace NoKV;

/// <summary>
/// The names under which NoKV reports metrics and traces, for wiring them into OpenTelemetry or
/// any <see cref="System.Diagnostics.Metrics.MeterListener"/> /
/// <see cref="System.Diagnostics.ActivityListener"/>:
/// <c>.AddMeter(NoKVDiagnostics.MeterName)</c>, <c>.AddSource(NoKVDiagnostics.ActivitySourceName)</c>.
/// </summary>
public static class NoKVDiagnostics
{
    /// <summary>The name of NoKV's <see cref="System.Diagnostics.Metrics.Meter"/> ("NoKV").</summary>
    public const string MeterName = "NoKV";

    /// <summary>The name of NoKV's <see cref="System.Diagnostics.ActivitySource"/> ("NoKV").</summary>
    public const string ActivitySourceName = "NoKV";
}
