using System.Globalization;
using OrleansTok.Replay;
using OrleansTok.Replay.Baselines;

// Prequential (test-then-train) replay of a MovieLens log through OrleansTok and standard baselines.
//   dotnet run -c Release --project tools/Replay -- --ratings PATH [--items PATH] [--limit N] [--json OUT.json] [--plot OUT.svg]
//     [--only orleanstok] [--no-explore-run] [--set Recommendation:Key=Value ...]
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: --ratings PATH [--items PATH] [--limit N] [--json OUT.json] [--plot OUT.svg] [--only NAME] [--no-explore-run] [--set KEY=VALUE]");
    return 2;
}

var data = Dataset.Load(options.Ratings, options.Items, options.Limit);
foreach (var error in data.Errors) Console.Error.WriteLine(error);
Console.WriteLine($"{data.Name}: {data.Events.Count:N0} events, {data.Positives:N0} positive (rating ≥ 4), {data.Errors.Count} malformed lines reported");

var results = new List<Metrics>();
IBaseline[] baselines = [new RandomBaseline(1), new PopularityBaseline(), new ItemKnnBaseline(), new IsgdBaseline()];
foreach (var baseline in baselines.Where(b => options.Only is null || options.Only.Contains(b.Name)))
{
    results.Add(Prequential.RunBaseline(data, baseline));
    Console.WriteLine($"  {baseline.Name}: HR@10 {results[^1].HitRate:F4}");
}
if (options.Only is null || options.Only.Contains("orleanstok"))
{
    results.Add(await Prequential.RunProductAsync(data, explore: false, options.Settings, Console.WriteLine));
    Console.WriteLine($"  orleanstok: HR@10 {results[^1].HitRate:F4}");
    if (options.ExploreRun)
    {
        results.Add(await Prequential.RunProductAsync(data, explore: true, options.Settings, Console.WriteLine));
    }
}

Console.WriteLine();
Console.Write(Report.Table(results));
if (options.Json is not null) await File.WriteAllTextAsync(options.Json, Report.Json(data, results));
if (options.Plot is not null) await File.WriteAllTextAsync(options.Plot, Report.Svg(data, results));
return 0;

internal sealed record Options(string Ratings, string? Items, int? Limit, string? Json, string? Plot, HashSet<string>? Only, bool ExploreRun, Dictionary<string, string?> Settings)
{
    public static Options? Parse(string[] args)
    {
        string? ratings = null, items = null, json = null, plot = null;
        int? limit = null;
        HashSet<string>? only = null;
        var exploreRun = true;
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--ratings": ratings = Next(); break;
                case "--items": items = Next(); break;
                case "--limit": limit = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--json": json = Next(); break;
                case "--plot": plot = Next(); break;
                case "--only": (only ??= []).UnionWith(Next().Split(',')); break;
                case "--no-explore-run": exploreRun = false; break;
                case "--set":
                    var kv = Next().Split('=', 2);
                    settings[kv[0]] = kv.Length > 1 ? kv[1] : null;
                    break;
                default: return null;
            }
        }
        return ratings is null ? null : new Options(ratings, items, limit, json, plot, only, exploreRun, settings);
    }
}
