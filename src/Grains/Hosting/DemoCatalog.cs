using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Hosting;

/// <summary>
/// A generated, deterministic demo world so a newcomer gets a personalised feed at once: users
/// with languages, countries and interests; creators with a niche; videos with hashtags and sounds
/// from that niche; and a warm-up of interactions so trending is not empty. Idempotent: existing
/// users and videos are left alone, so it is safe on every start against PostgreSQL.
/// </summary>
public sealed partial class DemoCatalog(IGrainFactory grains, IConfiguration configuration, ILogger<DemoCatalog> logger) : BackgroundService
{
    public const string DemoUserId = "demo";

    private static readonly string[][] Topics =
    [
        ["cats", "kitten", "pets"], ["dogs", "puppy", "pets"], ["cooking", "recipe", "food"], ["baking", "dessert", "food"],
        ["fitness", "workout", "gym"], ["dance", "choreo", "music"], ["comedy", "funny", "skit"], ["travel", "wanderlust", "beach"],
        ["gaming", "esports", "speedrun"], ["guitar", "cover", "music"], ["diy", "crafts", "home"], ["fashion", "ootd", "style"],
        ["science", "experiment", "learn"], ["football", "soccer", "goals"], ["makeup", "beauty", "tutorial"], ["cars", "racing", "garage"],
    ];

    private static readonly (string Language, string Country)[] Locales =
    [
        ("en", "US"), ("en", "GB"), ("es", "ES"), ("es", "MX"), ("de", "DE"), ("fr", "FR"), ("pt", "BR"), ("ja", "JP"),
    ];

    private static readonly string[] Devices = ["ios", "android", "web"];

    public int Users { get; init; } = configuration.GetValue("Demo:Users", 1000);
    public int Creators { get; init; } = configuration.GetValue("Demo:Creators", 200);
    public int Videos { get; init; } = configuration.GetValue("Demo:Videos", 10_000);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var started = DateTimeOffset.UtcNow;
            await SeedAsync(stoppingToken);
            LogSeeded(Users, Creators, Videos, (DateTimeOffset.UtcNow - started).TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogSeedFailed(ex);
        }
    }

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var random = new Random(42);
        var now = DateTimeOffset.UtcNow;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken };

        await grains.GetGrain<IUserGrain>(DemoUserId).Create(new UserSettings("en", "US", "web", ["cats", "cooking"]));

        var creators = Enumerable.Range(1, Creators).Select(i =>
        {
            var (language, country) = Locales[random.Next(Locales.Length)];
            return (Id: $"creator-{i:D3}", Language: language, Country: country, Topic: random.Next(Topics.Length), Second: random.Next(Topics.Length));
        }).ToArray();
        var users = Enumerable.Range(1, Users).Select(i =>
        {
            var (language, country) = Locales[random.Next(Locales.Length)];
            var interests = new[] { Topics[random.Next(Topics.Length)][0], Topics[random.Next(Topics.Length)][0] }.Distinct().ToArray();
            return (Id: $"user-{i:D4}", Settings: new UserSettings(language, country, Devices[random.Next(Devices.Length)], interests));
        }).ToArray();

        await Parallel.ForEachAsync(creators, parallel, async (c, _) =>
            await grains.GetGrain<IUserGrain>(c.Id).Create(new UserSettings(c.Language, c.Country, "ios", [Topics[c.Topic][0]])));
        await Parallel.ForEachAsync(users, parallel, async (u, _) => await grains.GetGrain<IUserGrain>(u.Id).Create(u.Settings));

        var videos = Enumerable.Range(1, Videos).Select(i =>
        {
            var c = creators[random.Next(creators.Length)];
            var topic = Topics[random.Next(4) == 0 ? c.Second : c.Topic];
            var tags = topic.Where(_ => random.Next(3) > 0).Prepend(topic[0]).Distinct().ToArray();
            var sound = $"sound-{topic[0]}-{random.Next(12)}";
            var age = TimeSpan.FromMinutes(random.Next(7 * 24 * 60));
            return new VideoUpload($"v{i:D5}", c.Id, $"{string.Join(' ', tags.Select(t => "#" + t))} by @{c.Id}", tags, sound, c.Language,
                random.Next(5, 90) * 1000, now - age);
        }).ToArray();
        await Parallel.ForEachAsync(videos, parallel, async (v, _) => await grains.GetGrain<IVideoGrain>(v.Id).Upload(v));

        // Warm-up: each user watches a few videos of their interests, so trending and quality are not flat.
        var byTopic = videos.GroupBy(v => v.Hashtags[0]).ToDictionary(g => g.Key, g => g.ToArray());
        await Parallel.ForEachAsync(users.Take(Math.Min(Users, 400)), parallel, async (u, _) =>
        {
            var rng = new Random((int)Recommendation.IdHash.Of(u.Id));
            var events = new List<Interaction>();
            foreach (var tag in u.Settings.Interests)
            {
                if (!byTopic.TryGetValue(tag, out var pool)) continue;
                for (var k = 0; k < 4; k++)
                {
                    var v = pool[rng.Next(pool.Length)];
                    events.Add(new Interaction($"warmup-{u.Id}-{v.Id}-view", v.Id, InteractionType.View, v.DurationMs, null, now));
                    if (rng.Next(2) == 0) events.Add(new Interaction($"warmup-{u.Id}-{v.Id}-like", v.Id, InteractionType.Like, 0, null, now));
                }
            }
            await grains.GetGrain<IUserGrain>(u.Id).Record(events);
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo catalogue ready: {Users} users, {Creators} creators, {Videos} videos in {Seconds:F1} s")]
    private partial void LogSeeded(int users, int creators, int videos, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Seeding the demo catalogue failed")]
    private partial void LogSeedFailed(Exception exception);
}
