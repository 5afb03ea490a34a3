using System.Globalization;
using System.Text;

namespace NoKV.Benchmarks.Compare;

/// <summary>A log-log line chart, one line per peer, drawn as plain SVG.</summary>
internal static class SvgChart
{
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

    public static string Render(string title, string yLabel, IReadOnlyList<(string Peer, IReadOnlyList<(double X, double Y)> Points)> series)
    {
        const int width = 720, height = 420, left = 80, right = 170, top = 40, bottom = 60;
        var xs = series.SelectMany(s => s.Points.Select(p => p.X)).ToArray();
        var ys = series.SelectMany(s => s.Points.Select(p => p.Y)).Where(y => y > 0).ToArray();
        var (x0, x1) = (Math.Log10(xs.Min()), Math.Log10(xs.Max()));
        var (y0, y1) = (Math.Floor(Math.Log10(ys.Min())), Math.Ceiling(Math.Log10(ys.Max())));
        if (x1 - x0 < 1e-9) { x0 -= 0.5; x1 += 0.5; }
        if (y1 - y0 < 1) y1 = y0 + 1;
        double Px(double x) => left + (Math.Log10(x) - x0) / (x1 - x0) * (width - left - right);
        double Py(double y) => height - bottom - (Math.Log10(Math.Max(y, Math.Pow(10, y0))) - y0) / (y1 - y0) * (height - top - bottom);
        string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{title}</text>");
        for (var e = y0; e <= y1; e++)
        {
            var y = Py(Math.Pow(10, e));
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{F(y)}\" y2=\"{F(y)}\" stroke=\"#ddd\"/><text x=\"{left - 8}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{Math.Pow(10, e).ToString("G", CultureInfo.InvariantCulture)}</text>");
        }
        foreach (var x in xs.Distinct())
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(Px(x))}\" y=\"{height - bottom + 18}\" text-anchor=\"middle\">{x.ToString("N0", CultureInfo.InvariantCulture)}</text>");
        }
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{(left + width - right) / 2}\" y=\"{height - 18}\" text-anchor=\"middle\">files in the base tree</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text transform=\"translate(20,{(top + height - bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">{yLabel}</text>");
        for (var i = 0; i < series.Count; i++)
        {
            var color = Colors[i % Colors.Length];
            var points = string.Join(' ', series[i].Points.OrderBy(p => p.X).Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"));
            svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline points=\"{points}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>");
            foreach (var p in series[i].Points) svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{F(Px(p.X))}\" cy=\"{F(Py(p.Y))}\" r=\"3\" fill=\"{color}\"/>");
            svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{width - right + 15}\" y=\"{top + 20 * i}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{width - right + 32}\" y=\"{top + 20 * i + 11}\">{series[i].Peer}</text>");
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}
