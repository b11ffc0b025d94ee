using OrleansTok.Grains;
using OrleansTok.Model;
using OrleansTok.Streams;

namespace OrleansTok.Tests.Core;

public class CatalogPublisherTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    private static CatalogEntry Entry(long views) =>
        new("v1", "c1", "s1", ["cats"], "#cats", "en", 15_000, At, [1f, 0f], 0.5f, views, 0);

    private static CatalogUpdate Upsert(long views, Dictionary<string, float>? popularity) =>
        new(CatalogChange.Upsert, "v1", Entry(views), popularity, At.AddMilliseconds(views));

    [Fact]
    public void Two_refreshes_of_a_video_keep_the_later_entry_and_add_up_their_popularity()
    {
        var merged = CatalogPublisher.Merge(Upsert(1, new() { ["US"] = 1f }), Upsert(2, new() { ["US"] = 2f, ["GB"] = 0.5f }));
        Assert.Equal(2, merged.Entry!.Views);
        Assert.Equal(3f, merged.PopularityByCountry!["US"]);
        Assert.Equal(0.5f, merged.PopularityByCountry["GB"]);

        var keptGain = CatalogPublisher.Merge(Upsert(1, new() { ["US"] = 1f }), Upsert(2, null));
        Assert.Equal(2, keptGain.Entry!.Views);
        Assert.Equal(1f, keptGain.PopularityByCountry!["US"]);
    }

    [Fact]
    public void A_removal_supersedes_a_waiting_refresh_and_a_later_upload_supersedes_the_removal()
    {
        var remove = new CatalogUpdate(CatalogChange.Remove, "v1", null, null, At);
        Assert.Same(remove, CatalogPublisher.Merge(Upsert(1, new() { ["US"] = 1f }), remove));

        var again = Upsert(3, null);
        Assert.Same(again, CatalogPublisher.Merge(remove, again));
    }

    private static CatalogUpdate Refresh(long views, Dictionary<string, float>? popularity) =>
        new(CatalogChange.Refresh, "v1", null, popularity, At.AddMilliseconds(views), new CatalogStats([0f, 1f], 0.7f, views, 5));

    [Fact]
    public void Stats_after_a_whole_entry_still_send_the_whole_entry_with_the_later_stats()
    {
        // The partition may not hold the video yet: folding the entry away would leave it ignoring both.
        var merged = CatalogPublisher.Merge(Upsert(1, new() { ["US"] = 1f }), Refresh(2, new() { ["US"] = 2f }));

        Assert.Equal(CatalogChange.Upsert, merged.Change);
        Assert.Equal(("c1", 2L, 0.7f, 5L), (merged.Entry!.CreatorId, merged.Entry.Views, merged.Entry.Quality, merged.Entry.Positives));
        Assert.Equal([0f, 1f], merged.Entry.Embedding);
        Assert.Equal(3f, merged.PopularityByCountry!["US"]);
        Assert.Equal(At.AddMilliseconds(2), merged.At);
    }

    [Fact]
    public void Two_sets_of_stats_keep_the_later_and_a_whole_entry_after_stats_replaces_them()
    {
        var both = CatalogPublisher.Merge(Refresh(1, new() { ["US"] = 1f }), Refresh(2, null));
        Assert.Equal(CatalogChange.Refresh, both.Change);
        Assert.Equal(2, both.Stats!.Views);
        Assert.Equal(1f, both.PopularityByCountry!["US"]);

        var whole = CatalogPublisher.Merge(Refresh(1, new() { ["US"] = 1f }), Upsert(3, new() { ["GB"] = 1f }));
        Assert.Equal(CatalogChange.Upsert, whole.Change);
        Assert.Equal(3, whole.Entry!.Views);
        Assert.Equal(2, whole.PopularityByCountry!.Count);
    }

    [Fact]
    public void Stats_never_undo_a_removal_waiting_beside_them()
    {
        var remove = new CatalogUpdate(CatalogChange.Remove, "v1", null, null, At);
        Assert.Same(remove, CatalogPublisher.Merge(remove, Refresh(2, new() { ["US"] = 1f })));
        Assert.Same(remove, CatalogPublisher.Merge(Refresh(2, null), remove));
    }
}
