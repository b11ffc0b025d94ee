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
}
