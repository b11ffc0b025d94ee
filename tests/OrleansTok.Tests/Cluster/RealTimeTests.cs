using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public class RealTimeTests(ClusterFixture fixture)
{
    private readonly IGrainFactory _grains = fixture.Grains;

    private async Task<(IUserGrain User, string Id)> NewUser(params string[] interests)
    {
        var user = await TestData.NewUser(_grains, "rt", interests: interests);
        return (user, user.GetPrimaryKeyString());
    }

    private async Task<VideoUpload> Upload(string creatorId, string tag, int durationMs = 10_000, string prefix = "rtv-")
    {
        var upload = new VideoUpload($"{prefix}{Guid.NewGuid():N}", creatorId, tag, [tag], $"snd-{tag}-{Guid.NewGuid():N}", "en", durationMs, DateTimeOffset.UtcNow);
        Assert.Equal(CommandStatus.Ok, await _grains.GetGrain<IVideoGrain>(upload.Id).Upload(upload));
        return upload;
    }

    /// <summary>Polls <paramref name="user"/>'s first page (impressions not recorded) until it holds <paramref name="videoId"/>.</summary>
    private static Task<TimeSpan> InFeed(IUserGrain user, string videoId, TimeSpan timeout, string what) =>
        Eventually.HoldsAsync(async () =>
            (await user.GetFeed(new FeedRequest(10, RecordImpressions: false)))!.Items.Any(i => i.VideoId == videoId), timeout, what);

    private static Interaction Event(string videoId, InteractionType type, int watchMs = 0, string? eventId = null) =>
        TestData.Event(videoId, type, watchMs, eventId: eventId);

    [Fact]
    public async Task Cached_grain_references_address_the_same_grains_as_Orleans_own()
    {
        var (user, id) = await NewUser("cats");
        foreach (var key in new[] { id, "not-yet-a-user" })
        {
            var ours = _grains.Get<IUserGrain>(key);
            Assert.Equal(_grains.GetGrain<IUserGrain>(key).GetGrainId(), ours.GetGrainId());
            Assert.Equal(await _grains.GetGrain<IUserGrain>(key).Exists(), await ours.Exists());
        }
        Assert.True(await _grains.Get<IUserGrain>(id).Exists());
        Assert.Equal(_grains.GetGrain<IVideoGrain>("v").GetGrainId(), _grains.Get<IVideoGrain>("v").GetGrainId());
        Assert.Throws<ArgumentException>(() => _grains.Get<IVideoGrain>(" "));
        Assert.NotNull(user);
    }

    [Fact]
    public async Task A_users_request_ids_stay_with_their_request_and_not_with_the_journal_batches_applied_after_it()
    {
        var (_, creatorId) = await NewUser();
        var (viewer, viewerId) = await NewUser();
        var video = await Upload(creatorId, "context");
        RequestContext.Set(Telemetry.RequestScope.UserId, viewerId);
        try
        {
            await viewer.Record([Event(video.Id, InteractionType.View, 10_000)]);
        }
        finally
        {
            RequestContext.Clear();
        }
        await Eventually.HoldsAsync(async () => (await _grains.GetGrain<IVideoGrain>(video.Id).GetDetails())!.Counters.Views == 1,
            TimeSpan.FromSeconds(5), "the view applied");

        // The partition's pump applies batches for every user; the request that woke it is not theirs.
        Assert.All(ClusterFixture.JournalCalls[video.Id], userId => Assert.Null(userId));
    }

    [Fact]
    public async Task Interactions_reach_the_video_and_creator_counters_within_a_second()
    {
        var (_, creatorId) = await NewUser();
        var (viewer, _) = await NewUser();
        var video = await Upload(creatorId, "streams");
        var before = (await _grains.GetGrain<IVideoGrain>(video.Id).GetEntry())!.Embedding;

        await viewer.Record([Event(video.Id, InteractionType.View, 10_000), Event(video.Id, InteractionType.Like), Event(video.Id, InteractionType.Share)]);

        await Eventually.HoldsAsync(async () =>
        {
            var c = (await _grains.GetGrain<IVideoGrain>(video.Id).GetDetails())!.Counters;
            return c is { Views: 1, Completions: 1, Likes: 1, Shares: 1, WatchTimeMs: 10_000 };
        }, TimeSpan.FromSeconds(1), "video counters");
        await Eventually.HoldsAsync(async () =>
        {
            var s = await _grains.GetGrain<ICreatorGrain>(creatorId).GetSummary();
            return s is { Videos: 1, Likes: 1, Views: 1, Shares: 1 } && s.RecentVideoIds.Contains(video.Id);
        }, TimeSpan.FromSeconds(1), "creator aggregate");
        var after = (await _grains.GetGrain<IVideoGrain>(video.Id).GetEntry())!.Embedding;
        Assert.NotEqual(before, after); // the video learned from who engaged with it
    }

    /// <summary>Uploads <paramref name="count"/> videos of <paramref name="creatorId"/>, then <paramref name="fan"/> likes each in turn.</summary>
    private async Task<List<string>> UploadAndLike(string creatorId, IUserGrain fan, string tag, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++) ids.Add((await Upload(creatorId, $"{tag}{i}")).Id);
        foreach (var id in ids) await fan.Record([Event(id, InteractionType.Like)]);
        return ids;
    }

    /// <summary>Over every silo's co-engagement batcher: receivers handed their halves on their own activation.</summary>
    private long HandedOver() =>
        fixture.Cluster.Silos.Sum(s => ((InProcessSiloHandle)s).SiloHost!.Services.GetRequiredService<CoEngagementBatcher>().DeliveredLocally);

    /// <summary>
    /// The video liked second counts a pair at once; the one liked first hears of it from the silo's
    /// co-engagement batcher: handed to its activation when it is on the batcher's silo with its
    /// neighbours read, else in a call (on the other silo, or before it has read them). Of ten
    /// videos over two silos, at least five share one, so some halves are always handed over.
    /// </summary>
    [Fact]
    public async Task Co_engagement_counts_both_halves_of_every_pair_once_whichever_silos_hold_the_videos()
    {
        var before = HandedOver();
        var (_, creatorId) = await NewUser();
        var (fan, _) = await NewUser();
        var liked = await UploadAndLike(creatorId, fan, "pairs", 10);

        await Eventually.HoldsAsync(async () =>
        {
            foreach (var id in liked)
            {
                var neighbours = await _grains.GetGrain<IVideoGrain>(id).GetNeighbours(20);
                if (!liked.Where(other => other != id).All(other => neighbours.Any(n => n.VideoId == other))) return false;
            }
            return true;
        }, TimeSpan.FromSeconds(5), "both halves of every pair");
        foreach (var id in liked)
        {
            var neighbours = await _grains.GetGrain<IVideoGrain>(id).GetNeighbours(20);
            Assert.Equal(liked.Where(other => other != id).Order(), neighbours.Select(n => n.VideoId).Order());
            Assert.All(neighbours, n => Assert.Equal(1f, n.Similarity)); // one user, one like each: every pair counted once
        }
        Assert.True(HandedOver() > before, "halves handed to activations on the batcher's own silo");

        // A half sent from outside the silo (serialized) is counted by its id.
        var stranger = (await Upload(creatorId, "pairs-stranger")).Id;
        await _grains.GetGrain<IVideoGrain>(liked[0]).AddCoEngagements([new CoEngagedWith(stranger, 1)]);
        await Eventually.HoldsAsync(async () => (await _grains.GetGrain<IVideoGrain>(liked[0]).GetNeighbours(20)).Any(n => n.VideoId == stranger),
            TimeSpan.FromSeconds(2), "a half from outside the silo counted");
        Assert.Equal(10, (await _grains.GetGrain<IVideoGrain>(liked[0]).GetNeighbours(20)).Count);
    }

    /// <summary>
    /// A silo's batcher hands halves straight to the activations of its own videos; one that was
    /// deactivated meanwhile must not take them with it: its next activation counts them.
    /// </summary>
    [Fact]
    public async Task Co_engagement_halves_reach_a_video_whose_activation_left_since_its_last_pair()
    {
        var (_, creatorId) = await NewUser();
        var (fan, _) = await NewUser();
        var first = await UploadAndLike(creatorId, fan, "left", 3);
        await Eventually.HoldsAsync(async () =>
            (await Task.WhenAll(first.Select(id => _grains.GetGrain<IVideoGrain>(id).GetNeighbours(20)))).All(n => n.Count == 2),
            TimeSpan.FromSeconds(5), "the first pairs counted");

        foreach (var id in first) await _grains.GetGrain<IVideoGrain>(id).Cast<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        var second = await UploadAndLike(creatorId, fan, "came", 3);

        var all = first.Concat(second).ToList();
        await Eventually.HoldsAsync(async () =>
            (await Task.WhenAll(first.Select(id => _grains.GetGrain<IVideoGrain>(id).GetNeighbours(20)))).All(n => n.Count == 5),
            TimeSpan.FromSeconds(5), "the later halves counted by the videos that were deactivated");
        foreach (var id in first)
        {
            var neighbours = await _grains.GetGrain<IVideoGrain>(id).GetNeighbours(20);
            Assert.Equal(all.Where(other => other != id).Order(), neighbours.Select(n => n.VideoId).Order());
        }
    }

    [Fact]
    public async Task A_new_upload_is_recommendable_to_other_users_within_a_second()
    {
        var (_, creatorId) = await NewUser();
        var (fan, _) = await NewUser("zebras");
        var video = await Upload(creatorId, "zebras");
        var took = await InFeed(fan, video.Id, TimeSpan.FromSeconds(1), "the upload in another user's feed");
        Assert.True(took < TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// A reader whose next pages rank their pooled candidates (no interaction since the last page)
    /// still gets a new upload within a second: pooled pages read the fresh source live.
    /// </summary>
    [Fact]
    public async Task A_new_upload_reaches_a_reader_whose_pages_come_from_their_candidate_pool()
    {
        var (_, creatorId) = await NewUser();
        var (fan, _) = await NewUser("quokkas");
        Assert.NotEmpty((await fan.GetFeed(new FeedRequest(10)))!.Items); // retrieves, and keeps the candidates
        var video = await Upload(creatorId, "quokkas");
        var took = await InFeed(fan, video.Id, TimeSpan.FromSeconds(1), "the upload on the reader's next pages");
        Assert.True(took < TimeSpan.FromSeconds(1));
    }

    /// <summary>An upload normally reaches its partition by a direct call alone; when that call fails, the catalog stream carries it.</summary>
    [Fact]
    public async Task An_upload_whose_direct_call_to_its_partition_failed_still_reaches_other_users()
    {
        var (_, creatorId) = await NewUser();
        var (fan, _) = await NewUser("okapis");
        var video = await Upload(creatorId, "okapis", prefix: ClusterFixture.DirectCallRefused);
        await InFeed(fan, video.Id, TimeSpan.FromSeconds(3), "the upload, delivered by the stream, in another user's feed");
    }

    /// <summary>A client retrying an upload it got no answer for has it completed; another upload under the same id is refused.</summary>
    [Fact]
    public async Task A_repeated_upload_completes_once_and_a_different_one_under_its_id_is_a_conflict()
    {
        var (_, creatorId) = await NewUser();
        var upload = await Upload(creatorId, "retries");
        var video = _grains.GetGrain<IVideoGrain>(upload.Id);
        Assert.Equal(CommandStatus.Ok, await video.Upload(upload with { UploadedAt = upload.UploadedAt.AddSeconds(2) }));
        Assert.Equal(CommandStatus.Conflict, await video.Upload(upload with { Caption = "another video" }));
        Assert.Equal(1, (await _grains.GetGrain<ICreatorGrain>(creatorId).GetSummary()).Videos);
        Assert.Equal(upload.UploadedAt, (await video.GetDetails())!.Upload.UploadedAt);
    }

    [Fact]
    public async Task Removed_and_under_review_videos_leave_every_feed()
    {
        var (_, creatorId) = await NewUser();
        var (fan, _) = await NewUser("moderation");
        var removed = await Upload(creatorId, "moderation");
        var review = await Upload(creatorId, "moderation");
        await Eventually.HoldsAsync(async () =>
        {
            var items = (await fan.GetFeed(new FeedRequest(10, RecordImpressions: false)))!.Items;
            return items.Any(i => i.VideoId == removed.Id) && items.Any(i => i.VideoId == review.Id);
        }, TimeSpan.FromSeconds(2), "both uploads eligible");

        await _grains.GetGrain<IVideoGrain>(removed.Id).SetStatus(VideoStatus.Removed);
        await _grains.GetGrain<IVideoGrain>(review.Id).SetStatus(VideoStatus.UnderReview);
        await Eventually.HoldsAsync(async () =>
        {
            var items = (await fan.GetFeed(new FeedRequest(50, RecordImpressions: false)))!.Items;
            return items.All(i => i.VideoId != removed.Id && i.VideoId != review.Id);
        }, TimeSpan.FromSeconds(1), "ineligible videos gone");

        // Reinstated videos come back.
        await _grains.GetGrain<IVideoGrain>(review.Id).SetStatus(VideoStatus.Active);
        await InFeed(fan, review.Id, TimeSpan.FromSeconds(1), "reinstated video back");
    }

    [Fact]
    public async Task Duplicate_events_and_repeated_likes_change_nothing_and_unlike_takes_it_back()
    {
        var (_, creatorId) = await NewUser();
        var (viewer, _) = await NewUser();
        var video = await Upload(creatorId, "likes");
        var videoGrain = _grains.GetGrain<IVideoGrain>(video.Id);

        var first = await viewer.Record([Event(video.Id, InteractionType.Like, eventId: "like-1"), Event(video.Id, InteractionType.Like, eventId: "like-1")]);
        Assert.Equal((1, 1), (first.Accepted, first.Duplicates));
        var again = await viewer.Record([Event(video.Id, InteractionType.Like, eventId: "like-1"), Event(video.Id, InteractionType.Like, eventId: "like-2")]);
        Assert.Equal((1, 1), (again.Accepted, again.Duplicates));
        await Eventually.HoldsAsync(async () => (await videoGrain.GetDetails())!.Counters.Likes == 1, TimeSpan.FromSeconds(1), "one like");
        await Task.Delay(300);
        Assert.Equal(1, (await videoGrain.GetDetails())!.Counters.Likes); // the second like did not count

        await viewer.Record([Event(video.Id, InteractionType.Unlike)]);
        await Eventually.HoldsAsync(async () => (await videoGrain.GetDetails())!.Counters.Likes == 0, TimeSpan.FromSeconds(1), "like taken back");
        Assert.Equal(0, (await viewer.GetSummary())!.Likes);
    }

    [Fact]
    public async Task An_event_id_that_looks_like_an_impression_is_still_an_interaction()
    {
        var (_, creatorId) = await NewUser();
        var (viewer, _) = await NewUser();
        var video = await Upload(creatorId, "imposter");
        await viewer.Record([Event(video.Id, InteractionType.Like, eventId: "imp:1")]);
        await Eventually.HoldsAsync(async () => (await _grains.GetGrain<IVideoGrain>(video.Id).GetDetails())!.Counters is { Likes: 1, Impressions: 0 },
            TimeSpan.FromSeconds(1), "a like, not an impression");
    }

    [Fact]
    public async Task A_batch_with_an_unknown_video_is_rejected_whole()
    {
        var (viewer, _) = await NewUser();
        var result = await viewer.Record([Event("v00001", InteractionType.Like), Event("no-such-video", InteractionType.Like)]);
        Assert.Equal(CommandStatus.UnknownVideo, result.Status);
        Assert.Equal(["no-such-video"], result.UnknownVideoIds);
        var summary = (await viewer.GetSummary())!;
        Assert.Equal((0, 0L), (summary.Likes, summary.Interactions));
    }

    [Fact]
    public async Task The_next_page_reflects_an_interaction_with_no_lag()
    {
        var (viewer, _) = await NewUser();
        var page = (await viewer.GetFeed(new FeedRequest(10)))!;
        var target = page.Items[0];
        await viewer.Record([Event(target.VideoId, InteractionType.HideCreator)]);
        var next = (await viewer.GetFeed(new FeedRequest(50)))!;
        Assert.DoesNotContain(next.Items, i => i.CreatorId == target.CreatorId);
    }
}
