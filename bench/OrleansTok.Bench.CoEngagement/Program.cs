using System.Diagnostics;
using System.Globalization;
using OrleansTok.Recommendation;

// Co-engagement counting in-process, no server: what a video's pair list costs as ingest fills it
// past its capacity, evictions included.
//   dotnet run -c Release --project bench/OrleansTok.Bench.CoEngagement [--lists 400] [--partners 10000] [--capacity 1000] [--rounds 7]
// Each step counts 20 partners on one list, as a positive interaction does with the user's recent
// positives: a quarter of them among 200 common partners, the rest spread over all. Every round
// starts from empty lists; the median round is the figure.
var lists = Arg("--lists", 400);
var partners = Arg("--partners", 10_000);
var capacity = Arg("--capacity", 1_000);
var rounds = Arg("--rounds", 7);
const int Steps = 250_000, PerStep = 20;

var handles = new VideoHandles();
for (var i = 0; i < partners; i++) handles.Of($"v{i}");
var times = new List<double>();
Span<int> step = stackalloc int[PerStep];
for (var round = 0; round < rounds; round++)
{
    var pairLists = Enumerable.Range(0, lists).Select(_ => new CoEngagement(handles)).ToArray();
    var random = new Random(round);
    var clock = Stopwatch.StartNew();
    for (var s = 0; s < Steps; s++)
    {
        var co = pairLists[random.Next(lists)];
        for (var k = 0; k < PerStep; k++) step[k] = random.Next(4) == 0 ? random.Next(200) : random.Next(partners);
        co.Touch(step);
        foreach (var partner in step) co.Add(partner, 0, capacity);
    }
    clock.Stop();
    times.Add(clock.Elapsed.TotalMilliseconds);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: {clock.Elapsed.TotalMilliseconds:F0} ms"));
}
times.Sort();
var median = times[times.Count / 2];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{Steps * PerStep:N0} pair counts on {lists} lists of capacity {capacity}: median {median:F0} ms, {median * 1e6 / (Steps * PerStep):F0} ns a count"));

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
