using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTok.Api.Contracts;
using OrleansTok.Api.Infrastructure;
using OrleansTok.Api.Security;
using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Api.Endpoints;

public static class VideosEndpoints
{
    public const int MinDurationMs = 1_000;
    public const int MaxDurationMs = 600_000;

    public static void MapVideos(this IEndpointRouteBuilder app)
    {
        var videos = app.MapGroup("/v1/videos").WithTags("Videos");
        videos.MapPost("/", Upload).RequireAuthorization();
        videos.MapGet("/{videoId}", Get).AllowAnonymous();
        videos.MapPut("/{videoId}/status", SetStatus).RequireAuthorization();

        // Public pages a real app shows to anyone: creator pages and trending.
        app.MapGet("/v1/creators/{creatorId}", GetCreator).WithTags("Creators").AllowAnonymous();
        app.MapGet("/v1/trending", GetTrending).WithTags("Trending").AllowAnonymous();
    }

    private static async Task<Results<Created<VideoResponse>, ValidationProblem, ProblemHttpResult>> Upload(UploadVideoRequest body, ClaimsPrincipal caller, IGrainFactory grains, TimeProvider time)
    {
        var v = new Validator();
        v.Id("id", body.Id);
        v.Id("creatorId", body.CreatorId);
        v.Id("soundId", body.SoundId);
        v.Language("language", body.Language);
        v.Text("caption", body.Caption, Validator.MaxCaptionLength, required: false);
        var hashtags = v.Hashtags("hashtags", body.Hashtags, Validator.MaxHashtags);
        if (body.DurationMs is null) v.Add("durationMs", "is required");
        else if (body.DurationMs is < MinDurationMs or > MaxDurationMs) v.Add("durationMs", $"must be between {MinDurationMs} and {MaxDurationMs}");
        if (!v.IsValid) return Problems.Invalid(v);
        if (!caller.Is(body.CreatorId!)) return Problems.Forbidden("A video can only be uploaded by its creator (creatorId = sub).");

        var upload = new VideoUpload(body.Id!, body.CreatorId!, body.Caption ?? "", hashtags, body.SoundId!, body.Language!, body.DurationMs!.Value, time.GetUtcNow());
        var video = grains.Get<IVideoGrain>(body.Id!);
        var status = await video.Upload(upload);
        return status switch
        {
            CommandStatus.Conflict => Problems.Conflict($"Video '{body.Id}' already exists; only a retry of the same upload to an active video is accepted."),
            CommandStatus.NotFound => Problems.NotFound($"Creator '{body.CreatorId}' is not a known user."),
            _ => TypedResults.Created($"/v1/videos/{body.Id}", VideoResponse.From((await video.GetDetails())!)),
        };
    }

    private static async Task<Results<Ok<VideoResponse>, ValidationProblem, ProblemHttpResult>> Get(string videoId, IGrainFactory grains)
    {
        var v = new Validator();
        if (!v.Id("videoId", videoId)) return Problems.Invalid(v);
        var details = await grains.Get<IVideoGrain>(videoId).GetDetails();
        return details is null ? Problems.NotFound($"Video '{videoId}' does not exist.") : TypedResults.Ok(VideoResponse.From(details));
    }

    private static async Task<Results<Ok<VideoResponse>, ValidationProblem, ProblemHttpResult>> SetStatus(string videoId, SetStatusRequest body, ClaimsPrincipal caller, IGrainFactory grains)
    {
        var v = new Validator();
        v.Id("videoId", videoId);
        VideoStatus status = default;
        if (body.Status is null) v.Add("status", "is required");
        else if (!Wire.Statuses.TryGetValue(body.Status, out status)) v.Add("status", $"must be one of: {string.Join(", ", Wire.Statuses.Keys)}");
        if (!v.IsValid) return Problems.Invalid(v);

        var video = grains.Get<IVideoGrain>(videoId);
        if (!caller.IsAdmin())
        {
            // A creator may take down their own video; everything else is moderation.
            var details = await video.GetDetails();
            if (details is null) return Problems.NotFound($"Video '{videoId}' does not exist.");
            if (status != VideoStatus.Removed || !caller.Is(details.Upload.CreatorId))
            {
                return Problems.Forbidden("Changing a video's status requires the admin role; creators may only remove their own videos.");
            }
        }
        if (await video.SetStatus(status) == CommandStatus.NotFound) return Problems.NotFound($"Video '{videoId}' does not exist.");
        return TypedResults.Ok(VideoResponse.From((await video.GetDetails())!));
    }

    private static async Task<Results<Ok<CreatorSummary>, ValidationProblem, ProblemHttpResult>> GetCreator(string creatorId, IGrainFactory grains)
    {
        var v = new Validator();
        if (!v.Id("creatorId", creatorId)) return Problems.Invalid(v);
        if (!await grains.Get<IUserGrain>(creatorId).Exists()) return Problems.NotFound($"Creator '{creatorId}' does not exist.");
        return TypedResults.Ok(await grains.Get<ICreatorGrain>(creatorId).GetSummary());
    }

    private static async Task<Results<Ok<TrendingResponse>, ValidationProblem>> GetTrending(string? country, string? language, int? count, IGrainFactory grains)
    {
        var v = new Validator();
        v.Country("country", country, required: false);
        v.Language("language", language, required: false);
        var n = count ?? 20;
        if (n is < 1 or > FeedEndpoints.MaxCount) v.Add("count", $"must be between 1 and {FeedEndpoints.MaxCount}");
        if (!v.IsValid) return Problems.Invalid(v);
        var items = await grains.GetGrain<ITrendingGrain>(0).GetTrending(country, language, n);
        return TypedResults.Ok(new TrendingResponse(country, language, items.Select(TrendingItem.From).ToList()));
    }
}
