using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTok.Grains;
using OrleansTok.Hosting;
using OrleansTok.Model;

namespace OrleansTok.Replay;

/// <summary>
/// Drives the real product: an in-process silo with the embedded default wiring (memory storage,
/// memory streams), the same grain calls the HTTP API makes for uploads, users, feeds and interactions.
/// </summary>
public sealed class ProductRunner : IAsyncDisposable
{
    public const int DurationMs = 60_000;
    private readonly IHost _host;
    private readonly IGrainFactory _grains;
    private readonly HashSet<int> _users = [];
    private readonly HashSet<int> _items = [];
    private long _eventSequence;

    private ProductRunner(IHost host)
    {
        _host = host;
        _grains = host.Services.GetRequiredService<IGrainFactory>();
    }

    public static async Task<ProductRunner> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        // The silo's own shutdown chatter (stream agents stopping under in-flight work) is not the replay's business.
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:ServiceId"] = $"replay-{Guid.NewGuid():N}",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo.UseOrleansTok(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync();
        return new ProductRunner(host);
    }

    public static string VideoId(int item) => $"ml-{item}";

    /// <summary>Makes sure the user and the item exist: users join and items are uploaded on first appearance.</summary>
    public async Task EnsureAsync(Rating rating, Dataset dataset)
    {
        if (_users.Add(rating.User))
        {
            await _grains.GetGrain<IUserGrain>($"ml-u{rating.User}").Create(new UserSettings("en", "US", "web", []));
        }
        if (_items.Add(rating.Item))
        {
            var creator = $"ml-studio-{rating.Item}";
            await _grains.GetGrain<IUserGrain>(creator).Create(new UserSettings("en", "US", "web", []));
            var hashtags = dataset.Genres.GetValueOrDefault(rating.Item) ?? [];
            var title = dataset.Titles.GetValueOrDefault(rating.Item) ?? $"item {rating.Item}";
            var upload = new VideoUpload(VideoId(rating.Item), creator, title, hashtags, $"ml-sound-{rating.Item}", "en", DurationMs,
                DateTimeOffset.FromUnixTimeSeconds(rating.Timestamp));
            await _grains.GetGrain<IVideoGrain>(upload.Id).Upload(upload);
        }
    }

    /// <summary>The user's next page, asked without side effects (no impressions, nothing marked served).</summary>
    public async Task<IReadOnlyList<string>> RecommendAsync(int user, bool explore)
    {
        var page = await _grains.GetGrain<IUserGrain>($"ml-u{user}").GetFeed(new FeedRequest(Metrics.K, RecordImpressions: false, Explore: explore));
        return page?.Items.Select(i => i.VideoId).ToList() ?? [];
    }

    /// <summary>Applies the rating through the ingestion path of <c>POST /v1/users/{id}/interactions</c>.</summary>
    public async Task ApplyAsync(Rating rating)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(rating.Timestamp);
        var video = VideoId(rating.Item);
        var events = rating.Value switch
        {
            >= 4 => new[] { Event(video, InteractionType.View, DurationMs, at), Event(video, InteractionType.Like, 0, at) },
            >= 3 => [Event(video, InteractionType.View, DurationMs, at)],
            _ => [Event(video, InteractionType.View, 1_000, at)],
        };
        var result = await _grains.GetGrain<IUserGrain>($"ml-u{rating.User}").Record(events);
        if (result.Status != CommandStatus.Ok) throw new InvalidOperationException($"event at line {rating.Line} was rejected: {result.Status}");
    }

    private Interaction Event(string video, InteractionType type, int watchMs, DateTimeOffset at) =>
        new($"ml-e{Interlocked.Increment(ref _eventSequence)}", video, type, watchMs, null, at);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
