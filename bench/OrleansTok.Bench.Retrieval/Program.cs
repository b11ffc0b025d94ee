using System.Diagnostics;
using System.Globalization;
using OrleansTok.Grains;
using OrleansTok.Model;
using OrleansTok.Recommendation;

// One retrieval index in-process, no server: what a page's candidate retrieval costs by source,
// for a query shaped like a returning user's (seen videos, related videos from co-engagement).
//   dotnet run -c Release --project bench/OrleansTok.Bench.Retrieval [--videos 10000] [--seen 400] [--related 300]
// The catalogue is the HTTP benchmark's (16 topics, 500 creators, 997 sounds); half the videos have
// some popularity in the user's country, so trending has candidates. Medians over every query of a
// round; each round runs every variant once, so variants compare within a round. "scan only" is the
// 8-bit similarity scan of every video's row, without selection; "rank merged" ranks each query's
// merged candidates for a returning user (token weights at capacity, 20 follows), as a page does;
// "pool refresh" is what a page served from its candidate pool reads live (eligibility, current
// entries and trends, the fresh source), on the first page after the fill and on a later one.
var videos = Arg("--videos", 10_000);
var seenCount = Arg("--seen", 400);
var relatedCount = Arg("--related", 300);
var perSource = Arg("--per-source", 80);
var rounds = Arg("--rounds", 3);

var now = DateTimeOffset.UtcNow;
string[] topics = ["cats", "dogs", "cooking", "fitness", "dance", "comedy", "travel", "gaming", "music", "diy", "fashion", "science", "football", "makeup", "cars", "baking"];
var rnd = new Random(1);
var index = new CatalogIndex(TimeSpan.FromHours(6), now, new ClusteredScan(20_000, 0.1f));
for (var i = 0; i < videos; i++)
{
    var topic = topics[i / 7 % topics.Length];
    var creator = $"bc{i % 500}";
    var sound = $"s{i % 997}";
    var entry = new CatalogEntry($"bv{i}", creator, sound, [topic], $"#{topic}", "en", 15_000 + i % 45_000, now.AddMinutes(-(i % 600)),
        ContentEmbedding.ForVideo([topic], sound, creator, 32), 0.2f, 5);
    index.Upsert(entry, new Dictionary<string, float> { [i % 2 == 0 ? "US" : "GB"] = rnd.Next(50) }, now);
}

var queries = new List<RetrievalQuery>();
for (var q = 0; q < 500; q++)
{
    var interest = ContentEmbedding.ForInterests([topics[rnd.Next(topics.Length)], topics[rnd.Next(topics.Length)]], 32);
    var seen = SeenSet.Create(5000);
    for (var k = 0; k < seenCount; k++) seen.Add($"bv{rnd.Next(videos)}");
    var related = new Dictionary<string, float>(StringComparer.Ordinal);
    while (related.Count < Math.Min(relatedCount, videos)) related[$"bv{rnd.Next(videos)}"] = (float)rnd.NextDouble();
    queries.Add(new RetrievalQuery(interest, "en", "US", [], [], [], seen.Filter(), perSource, related));
}

Console.WriteLine($"{videos:N0} videos, {perSource} per source, {seenCount} seen, {relatedCount} related; median µs per query");
var zero = new float[32];
(string Name, Func<RetrievalQuery, RetrievalQuery> Shape, bool Merge)[] variants =
[
    ("trending + fresh", q => q with { Interest = zero, Related = null }, false),
    ("+ related", q => q with { Interest = zero }, false),
    ("+ similar (no related)", q => q with { Related = null }, false),
    ("all sources", q => q, false),
    ("all sources, then merged", q => q, true),
];
// A returning user's ranking context: token weights at capacity, follows, declared interests.
var settings = new UserSettings("en", "US", "ios", [topics[0], topics[3], topics[7]]);
var hashtags = TokenWeights.Create(64);
var creators = TokenWeights.Create(32);
var sounds = TokenWeights.Create(32);
foreach (var topic in topics) hashtags.Add(topic, (float)(rnd.NextDouble() * 4 - 1));
for (var c = 0; c < 32; c++) creators.Add($"bc{rnd.Next(500)}", (float)(rnd.NextDouble() * 4 - 1));
for (var s = 0; s < 32; s++) sounds.Add($"s{rnd.Next(997)}", (float)(rnd.NextDouble() * 4 - 1));
var following = new HashSet<string>(Enumerable.Range(0, 20).Select(_ => $"bc{rnd.Next(500)}"), StringComparer.Ordinal);
var weights = (float[])Ranker.PriorWeights.Clone();
// The 8-bit scan alone, over a matrix of every video's embedding: the similar source's floor.
var matrix = new QuantizedRows(32);
matrix.EnsureCapacity(videos);
var row = 0;
foreach (var video in index.Videos) matrix.Set(row++, video.Entry.Embedding);
var scanned = new float[videos];

foreach (var (_, shape, merge) in variants) Median(shape, merge); // warm-up: the JIT's later tiers
ScanMedian();
RankMedian();
PoolMedians();
for (var round = 1; round <= rounds; round++)
{
    Console.Write($"round {round}:");
    foreach (var (name, shape, merge) in variants) Console.Write($"  {name} {Median(shape, merge):F0}");
    Console.Write($"  scan only {ScanMedian():F1}");
    Console.Write($"  rank merged {RankMedian():F0}");
    var (first, later) = PoolMedians();
    Console.WriteLine($"  pool refresh {first:F0} / {later:F0}");
}

double ScanMedian()
{
    var times = new List<double>(4 * queries.Count);
    for (var pass = 0; pass < 4; pass++)
    {
        foreach (var query in queries)
        {
            var start = Stopwatch.GetTimestamp();
            matrix.Scores(query.Interest, scanned);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
    }
    times.Sort();
    return times[times.Count / 2];
}

double Median(Func<RetrievalQuery, RetrievalQuery> shape, bool merge)
{
    var times = new List<double>(4 * queries.Count);
    for (var pass = 0; pass < 4; pass++)
    {
        foreach (var query in queries.Select(shape))
        {
            var start = Stopwatch.GetTimestamp();
            var candidates = index.Retrieve(query, now, TimeSpan.FromDays(2));
            if (merge) CandidateMerger.Merge([candidates], _ => false, perSource);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
    }
    times.Sort();
    return times[times.Count / 2];
}

// Ranking the merged candidates of every query (merging not timed): a pooled page's ranking.
double RankMedian()
{
    var times = new List<double>(4 * queries.Count);
    var merged = queries.Select(q => CandidateMerger.Merge([index.Retrieve(q, now, TimeSpan.FromDays(2))], _ => false, perSource)).ToList();
    for (var pass = 0; pass < 4; pass++)
    {
        for (var i = 0; i < queries.Count; i++)
        {
            var context = new RankingContext
            {
                LongTerm = queries[i].Interest, Session = queries[(i + 1) % queries.Count].Interest, Settings = settings,
                Following = following, Hashtags = hashtags, Creators = creators, Sounds = sounds, Now = now,
            };
            var start = Stopwatch.GetTimestamp();
            Ranker.Rank(merged[i], context, weights);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
    }
    times.Sort();
    return times[times.Count / 2];
}

// A pool filled from each query's merged candidates, refreshed twice: the first page after the fill
// and a later one (medians, µs). Refreshed candidates go back to the thread's spares, as a page's do.
(double First, double Later) PoolMedians()
{
    var first = new List<double>(4 * queries.Count);
    var later = new List<double>(4 * queries.Count);
    var into = new List<ScoredCandidate>(512);
    for (var pass = 0; pass < 4; pass++)
    {
        foreach (var query in queries)
        {
            var merged = CandidateMerger.Merge([index.Retrieve(query, now, TimeSpan.FromDays(2))], _ => false, perSource);
            var pool = new CandidatePool(TimeSpan.FromMinutes(1), 0.95f);
            pool.Fill(merged, query.Interest, 0, query, now);
            ScoredCandidates.Return(merged);
            foreach (var times in (List<double>[])[first, later])
            {
                var start = Stopwatch.GetTimestamp();
                index.Refresh(pool, query, now, into);
                pool.AddFresh(into, index.RetrieveFresh(query, now, TimeSpan.FromDays(2), pool), _ => false, following);
                times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                ScoredCandidates.Return(into);
            }
        }
    }
    first.Sort();
    later.Sort();
    return (first[first.Count / 2], later[later.Count / 2]);
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
