using OrleansTok.Model;
using OrleansTok.Recommendation;

namespace OrleansTok.State;

[GenerateSerializer, Alias("ot.UserState")]
public sealed class UserState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public UserSettings? Settings { get; set; }
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public float[] Embedding { get; set; } = [];
    [Id(4)] public float[] Session { get; set; } = [];
    [Id(5)] public HashSet<string> Following { get; set; } = new(StringComparer.Ordinal);
    [Id(6)] public HashSet<string> HiddenCreators { get; set; } = new(StringComparer.Ordinal);
    [Id(7)] public HashSet<string> HiddenSounds { get; set; } = new(StringComparer.Ordinal);
    [Id(8)] public TokenWeights Hashtags { get; set; } = TokenWeights.Create(64);
    [Id(9)] public TokenWeights Creators { get; set; } = TokenWeights.Create(32);
    [Id(10)] public TokenWeights Sounds { get; set; } = TokenWeights.Create(32);
    [Id(11)] public SeenSet Seen { get; set; } = SeenSet.Create(16);
    [Id(12)] public RecentIds Events { get; set; } = RecentIds.Create(512);
    [Id(13)] public RecentIds Liked { get; set; } = RecentIds.Create(1024);
    [Id(14)] public RecentIds Favorited { get; set; } = RecentIds.Create(1024);
    [Id(15)] public RecentIds NotInterested { get; set; } = RecentIds.Create(512);
    // Id 16 held a list of per-page impression records until the flat log (Id 25); stored states
    // that still carry it load without those impressions (derived data: those pages' actions only
    // teach the ranker less).
    [Id(17)] public float[] RankerWeights { get; set; } = [];
    [Id(18)] public string? LastCreator { get; set; }
    [Id(19)] public string? LastSound { get; set; }
    [Id(20)] public long Served { get; set; }
    [Id(21)] public long Watched { get; set; }
    [Id(22)] public long Interactions { get; set; }
    [Id(23)] public List<string> RecentPositives { get; set; } = [];

    /// <summary>The highest journal id whose interaction this state includes; later ones are replayed on activation.</summary>
    [Id(24)] public long JournalMark { get; set; }

    /// <summary>The features the recently served items were ranked with, joined to later actions by their page.</summary>
    [Id(25)] public ImpressionLog Impressions { get; set; } = ImpressionLog.Create(RecommendationOptions.DefaultImpressionItems);
}
