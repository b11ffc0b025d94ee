using OrleansTok.Model;

namespace OrleansTok.State;

[GenerateSerializer, Alias("ot.VideoState")]
public sealed class VideoState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public VideoUpload? Upload { get; set; }
    [Id(2)] public VideoStatus Status { get; set; }
    [Id(3)] public float[] Embedding { get; set; } = [];
    [Id(4)] public CounterSet Counters { get; set; } = new();
    [Id(5)] public Recommendation.RecentIds RecentEvents { get; set; } = Recommendation.RecentIds.Create(256);
    [Id(7)] public JournalMarks Journal { get; set; } = new();

    /// <summary>
    /// Positive engagements counted for co-engagement (the 1/√n of the related score), kept here so
    /// the catalog entry needs no read of the neighbours. Zero in state written before it was kept
    /// here, until the neighbours are first read.
    /// </summary>
    [Id(8)] public long CoPositives { get; set; }
}

/// <summary>
/// A video's co-engagement neighbours, kept apart from <see cref="VideoState"/>: they are derived
/// data written at most once a minute, and up to a thousand pairs would make every write of the
/// video's own state a hundred times larger.
/// </summary>
[GenerateSerializer, Alias("ot.VideoNeighboursState")]
public sealed class VideoNeighboursState
{
    [Id(0)] public Recommendation.StoredCoEngagement CoEngagement { get; set; } = new();
}

/// <summary>Mutable engagement counters, shared by video and creator state.</summary>
[GenerateSerializer, Alias("ot.CounterSet")]
public sealed class CounterSet
{
    [Id(0)] public long Impressions { get; set; }
    [Id(1)] public long Views { get; set; }
    [Id(2)] public long WatchTimeMs { get; set; }
    [Id(3)] public long Completions { get; set; }
    [Id(4)] public long Likes { get; set; }
    [Id(5)] public long Shares { get; set; }
    [Id(6)] public long Comments { get; set; }
    [Id(7)] public long Favorites { get; set; }
    [Id(8)] public long Replays { get; set; }
    [Id(9)] public long Skips { get; set; }
    [Id(10)] public long NotInterested { get; set; }

    public VideoCounters ToRecord() => new(Impressions, Views, WatchTimeMs, Completions, Likes, Shares, Comments, Favorites, Replays, Skips, NotInterested);

    public void Add(VideoCounters d)
    {
        Impressions += d.Impressions; Views += d.Views; WatchTimeMs += d.WatchTimeMs; Completions += d.Completions;
        Likes += d.Likes; Shares += d.Shares; Comments += d.Comments; Favorites += d.Favorites;
        Replays += d.Replays; Skips += d.Skips; NotInterested += d.NotInterested;
    }

    /// <summary>Becomes <paramref name="totals"/> (zero when null) plus <paramref name="impressions"/>.</summary>
    public void Restore(VideoCounters? totals, long impressions = 0)
    {
        Clear();
        if (totals is not null) Add(totals);
        Impressions += impressions;
    }

    public bool IsZero => ToRecord() == new VideoCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public void Clear() => Add(Negate(ToRecord()));

    private static VideoCounters Negate(VideoCounters c) => new(-c.Impressions, -c.Views, -c.WatchTimeMs, -c.Completions, -c.Likes,
        -c.Shares, -c.Comments, -c.Favorites, -c.Replays, -c.Skips, -c.NotInterested);
}

[GenerateSerializer, Alias("ot.CreatorState")]
public sealed class CreatorState
{
    [Id(0)] public long Followers { get; set; }
    [Id(1)] public int Videos { get; set; }
    [Id(2)] public List<string> Recent { get; set; } = [];
    [Id(3)] public CounterSet Totals { get; set; } = new();
    [Id(4)] public float[] Embedding { get; set; } = [];
    [Id(5)] public JournalMarks Journal { get; set; } = new();
}

[GenerateSerializer, Alias("ot.CatalogPartitionState")]
public sealed class CatalogPartitionState
{
    [Id(0)] public DateTimeOffset Landmark { get; set; }
    [Id(1)] public List<Recommendation.IndexedVideo> Videos { get; set; } = [];
}
