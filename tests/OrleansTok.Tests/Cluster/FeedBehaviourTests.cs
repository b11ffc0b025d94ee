using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public class FeedBehaviourTests(ClusterFixture fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    private Task<IUserGrain> NewUser(string prefix, string language = "en", string country = "US", params string[] interests) =>
        TestData.NewUser(_grains, prefix, language, country, interests);

    private static Interaction Event(string videoId, InteractionType type, int watchMs = 0, string? requestId = null) =>
        TestData.Event(videoId, type, watchMs, requestId);

    private static int CountTag(FeedPage page, string tag) => page.Items.Count(i => i.Hashtags.Contains(tag));

    [Fact]
    public async Task Liking_and_fully_watching_cats_fills_the_next_page_with_cats()
    {
        var user = await NewUser("cats");
        var before = await user.GetFeed(new FeedRequest(10));
        var baseline = CountTag(before!, "cats");

        // Two pages of real behaviour: love every #cats item, skip everything else quickly.
        var page = before!;
        var likedCats = 0;
        for (var round = 0; round < 2; round++)
        {
            var events = new List<Interaction>();
            foreach (var item in page.Items)
            {
                if (item.Hashtags.Contains("cats"))
                {
                    events.Add(Event(item.VideoId, InteractionType.View, 60_000, page.RequestId));
                    events.Add(Event(item.VideoId, InteractionType.Like, 0, page.RequestId));
                    likedCats++;
                }
                else
                {
                    events.Add(Event(item.VideoId, InteractionType.View, 500, page.RequestId));
                }
            }
            // A page with few cats: the user also finds some through search, as people do.
            foreach (var id in await FindVideos("cats", 3 - Math.Min(3, likedCats)))
            {
                events.Add(Event(id, InteractionType.View, 60_000));
                events.Add(Event(id, InteractionType.Like));
                likedCats++;
            }
            Assert.Equal(CommandStatus.Ok, (await user.Record(events)).Status);
            page = (await user.GetFeed(new FeedRequest(10)))!;
        }

        var after = CountTag(page, "cats");
        Assert.True(after >= baseline + 4 && after >= 5, $"#cats per page went from {baseline} to {after}");
        Assert.Contains(page.Items, i => i.Reason == "because you liked #cats");
    }

    private async Task<List<string>> FindVideos(string tag, int count)
    {
        var found = new List<string>();
        for (var i = 1; i <= ClusterFixture.Videos && found.Count < count; i++)
        {
            var entry = await _grains.GetGrain<IVideoGrain>($"v{i:D5}").GetEntry();
            if (entry is not null && entry.Hashtags[0] == tag) found.Add(entry.VideoId);
        }
        return found;
    }

    [Fact]
    public async Task No_video_repeats_and_no_creator_or_sound_is_back_to_back_across_many_pages()
    {
        var user = await NewUser("pages", interests: ["dance"]);
        var served = new List<FeedItem>();
        for (var i = 0; i < 30; i++)
        {
            var page = await user.GetFeed(new FeedRequest(10));
            Assert.NotEmpty(page!.Items);
            served.AddRange(page.Items);
        }
        Assert.True(served.Count >= 280, $"only {served.Count} items in 30 pages");
        Assert.Equal(served.Count, served.Select(i => i.VideoId).Distinct().Count());
        Assert.DoesNotContain(served, i => i.Recycled);
        for (var i = 1; i < served.Count; i++)
        {
            Assert.NotEqual(served[i - 1].CreatorId, served[i].CreatorId);
            Assert.NotEqual(served[i - 1].SoundId, served[i].SoundId);
        }
    }

    [Fact]
    public async Task Hidden_creators_and_sounds_and_not_interested_videos_never_come_back()
    {
        var user = await NewUser("hide", interests: ["cats"]);
        var first = (await user.GetFeed(new FeedRequest(10)))!;
        var hiddenCreator = first.Items[0].CreatorId;
        var hiddenSound = first.Items[1].SoundId;
        var rejected = first.Items[2];
        await user.Record([
            Event(first.Items[0].VideoId, InteractionType.HideCreator),
            Event(first.Items[1].VideoId, InteractionType.HideSound),
            Event(rejected.VideoId, InteractionType.NotInterested),
        ]);
        // A reset forgets the seen set, so only the explicit controls keep these out.
        Assert.Equal(CommandStatus.Ok, await user.ResetFeed());

        var served = new List<FeedItem>();
        for (var i = 0; i < 20; i++) served.AddRange((await user.GetFeed(new FeedRequest(10)))!.Items);
        Assert.True(served.Count > 150);
        Assert.DoesNotContain(served, i => i.CreatorId == hiddenCreator);
        Assert.DoesNotContain(served, i => i.SoundId == hiddenSound);
        Assert.DoesNotContain(served, i => i.VideoId == rejected.VideoId);
    }

    [Fact]
    public async Task When_everything_was_seen_the_feed_recycles_and_says_so()
    {
        var user = await NewUser("recycle");
        var ids = new HashSet<string>();
        FeedPage page;
        var pages = 0;
        do
        {
            page = (await user.GetFeed(new FeedRequest(50)))!;
            pages++;
        }
        while (page.Items.All(i => !i.Recycled && ids.Add(i.VideoId)) && pages < 40);
        Assert.True(ids.Count >= ClusterFixture.Videos * 0.9, $"{ids.Count} unique videos before recycling");
        Assert.Contains(page.Items, i => i.Recycled && i.Reason == "you might enjoy this again");
    }

    [Fact]
    public async Task A_new_user_gets_popular_videos_blended_with_declared_interests()
    {
        var user = await NewUser("cold", "de", "DE", "dogs");
        var page = (await user.GetFeed(new FeedRequest(10)))!;
        Assert.Equal(10, page.Items.Count);
        Assert.True(CountTag(page, "dogs") >= 3, $"{CountTag(page, "dogs")} #dogs items");

        var blank = await NewUser("blank", "en", "US");
        var blankPage = (await blank.GetFeed(new FeedRequest(10)))!;
        Assert.Equal(10, blankPage.Items.Count);
        Assert.Contains(blankPage.Items, i => i.Source == CandidateSources.Trending);
        Assert.Contains(blankPage.Items, i => i.Source == CandidateSources.Fresh);
    }

    [Fact]
    public async Task Followed_creators_uploads_appear_with_the_reason()
    {
        var creator = await NewUser("star");
        var fan = await NewUser("fan", interests: ["cooking"]);
        var creatorId = creator.GetPrimaryKeyString();
        var upload = new VideoUpload($"star-{Guid.NewGuid():N}", creatorId, "new one", ["knitting"], "sound-knit", "en", 20_000, DateTimeOffset.UtcNow);
        Assert.Equal(CommandStatus.Ok, await _grains.GetGrain<IVideoGrain>(upload.Id).Upload(upload));
        Assert.Equal(CommandStatus.Ok, await fan.Follow(creatorId));
        // The creator hears of both before they are acknowledged: no waiting.
        var summary = await _grains.GetGrain<ICreatorGrain>(creatorId).GetSummary();
        Assert.Equal((1L, 1, upload.Id), (summary.Followers, summary.Videos, summary.RecentVideoIds.Count > 0 ? summary.RecentVideoIds[0] : null));

        await Eventually.HoldsAsync(async () =>
        {
            var page = await fan.GetFeed(new FeedRequest(10, RecordImpressions: false));
            return page!.Items.Any(i => i.VideoId == upload.Id && i.Source == CandidateSources.Following && i.Reason == $"from @{creatorId}, whom you follow");
        }, TimeSpan.FromSeconds(2), "the followed creator's upload in the fan's feed");
    }
}
