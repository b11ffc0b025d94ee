using OrleansTok.Grains;
using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

/// <summary>The silo's shared neighbour lists: one fetch serves every user within the refresh period, and none is served older.</summary>
public class NeighbourCacheTests
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(250);

    /// <summary>Counts the fetches of each video; each answers a new list object.</summary>
    private sealed class VideoGrains
    {
        public Dictionary<string, int> Fetches { get; } = [];

        public TaskCompletionSource<IReadOnlyList<Neighbour>>? Pending { get; set; }

        public Task<IReadOnlyList<Neighbour>> Fetch(string videoId)
        {
            Fetches[videoId] = Fetches.GetValueOrDefault(videoId) + 1;
            return Pending?.Task ?? Task.FromResult<IReadOnlyList<Neighbour>>([new Neighbour($"{videoId}-n{Fetches[videoId]}", 0.5f)]);
        }
    }

    private static NeighbourCache Cache(ManualTime time) => new(Microsoft.Extensions.Options.Options.Create(new RecommendationOptions { NeighbourRefresh = Refresh }), time);

    [Fact]
    public async Task Users_within_the_refresh_period_share_one_fetch_and_a_later_user_gets_a_new_one()
    {
        var time = new ManualTime();
        var cache = Cache(time);
        var videos = new VideoGrains();

        var first = await cache.GetAsync("v1", videos.Fetch);
        time.Now += Refresh - TimeSpan.FromMilliseconds(1);
        var second = await cache.GetAsync("v1", videos.Fetch);
        Assert.Equal(1, videos.Fetches["v1"]);
        Assert.Same(first.List, second.List);
        Assert.Equal(first.FetchedAt, second.FetchedAt); // its age counts from the fetch, not from the second user's ask

        time.Now += TimeSpan.FromMilliseconds(2);
        var third = await cache.GetAsync("v1", videos.Fetch);
        Assert.Equal(2, videos.Fetches["v1"]);
        Assert.NotSame(first.List, third.List);
        Assert.Equal(time.Now, third.FetchedAt);
    }

    [Fact]
    public async Task A_fetch_under_way_is_shared_and_a_failed_one_is_not_kept()
    {
        var time = new ManualTime();
        var cache = Cache(time);
        var videos = new VideoGrains { Pending = new TaskCompletionSource<IReadOnlyList<Neighbour>>() };

        var a = cache.GetAsync("v1", videos.Fetch);
        var b = cache.GetAsync("v1", videos.Fetch);
        Assert.Equal(1, videos.Fetches["v1"]);
        videos.Pending.SetException(new TimeoutException("the video did not answer"));
        await Assert.ThrowsAsync<TimeoutException>(() => a);
        await Assert.ThrowsAsync<TimeoutException>(() => b);

        videos.Pending = null;
        var retried = await cache.GetAsync("v1", videos.Fetch);
        Assert.Equal(2, videos.Fetches["v1"]);
        Assert.Single(retried.List);
    }

    [Fact]
    public async Task What_the_cache_holds_follows_the_last_two_periods_not_every_video_ever_asked_for()
    {
        var time = new ManualTime();
        var cache = Cache(time);
        var videos = new VideoGrains();

        for (var period = 0; period < 10; period++)
        {
            for (var v = 0; v < 100; v++) await cache.GetAsync($"p{period}-v{v}", videos.Fetch);
            time.Now += Refresh;
        }
        Assert.Equal(1_000, videos.Fetches.Count);
        Assert.True(cache.Count <= 200, $"{cache.Count} entries held after 1,000 videos in 10 periods");
    }
}
