using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrleansTok.Replay;

public static class Report
{
    public static string Table(IEnumerable<Metrics> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"method",-22} {"HR@10",8} {"NDCG@10",8} {"events/s",10}");
        foreach (var m in results)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{m.Name,-22} {m.HitRate,8:F4} {m.Ndcg,8:F4} {m.EventsPerSecond,10:F0}");
        }
        return sb.ToString();
    }

    public static string Json(Dataset data, IEnumerable<Metrics> results) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["dataset"] = data.Name,
        ["events"] = data.Events.Count,
        ["positives"] = data.Positives,
        ["results"] = results.Select(m => new Dictionary<string, object>
        {
            ["name"] = m.Name,
            ["hr@10"] = Math.Round(m.HitRate, 5),
            ["ndcg@10"] = Math.Round(m.Ndcg, 5),
            ["eventsPerSecond"] = Math.Round(m.EventsPerSecond, 1),
        }).ToList(),
    }, Indented);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] Colours = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6"];

    /// <summary>Moving-average HR@10 of every method over the stream of positive events, as an SVG line chart.</summary>
    public static string Svg(Dataset data, IReadOnlyList<Metrics> results, int window = 2000)
    {
        const int width = 900, height = 420, left = 60, right = 180, top = 30, bottom = 50;
        var plotW = width - left - right;
        var plotH = height - top - bottom;
        var series = results.Select(m => MovingAverage(m.Hits, window)).ToList();
        var maxY = Math.Max(0.05, Math.Ceiling(series.SelectMany(s => s).DefaultIfEmpty(0).Max() * 20) / 20);
        var maxX = Math.Max(1, results.Max(m => m.Hits.Count));
        string X(int i) => (left + (double)i / maxX * plotW).ToString("F1", CultureInfo.InvariantCulture);
        string Y(double v) => (top + plotH - v / maxY * plotH).ToString("F1", CultureInfo.InvariantCulture);

        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        sb.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        sb.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"18\" font-size=\"14\">Prequential HR@10 on {Escape(data.Name)} (moving average over {window:N0} positive events)</text>");
        for (var t = 0; t <= 5; t++)
        {
            var v = maxY * t / 5;
            sb.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{left + plotW}\" y1=\"{Y(v)}\" y2=\"{Y(v)}\" stroke=\"#ddd\"/><text x=\"{left - 8}\" y=\"{Y(v)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{v:F2}</text>");
        }
        sb.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left + plotW / 2}\" y=\"{height - 12}\" text-anchor=\"middle\">positive events replayed ({maxX:N0})</text>");
        for (var s = 0; s < series.Count; s++)
        {
            var points = new StringBuilder();
            var step = Math.Max(1, series[s].Count / 600);
            for (var i = 0; i < series[s].Count; i += step) points.Append(CultureInfo.InvariantCulture, $"{X(i)},{Y(series[s][i])} ");
            var colour = Colours[s % Colours.Length];
            sb.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.8\" points=\"{points}\"/>");
            sb.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left + plotW + 10}\" y=\"{top + 16 + s * 18}\" fill=\"{colour}\">{Escape(results[s].Name)} {results[s].HitRate:F3}</text>");
        }
        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    private static List<double> MovingAverage(IReadOnlyList<float> hits, int window)
    {
        var result = new List<double>(hits.Count);
        double sum = 0;
        for (var i = 0; i < hits.Count; i++)
        {
            sum += hits[i];
            if (i >= window) sum -= hits[i - window];
            result.Add(sum / Math.Min(i + 1, window));
        }
        return result;
    }

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
