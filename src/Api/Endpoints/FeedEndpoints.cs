using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTok.Api.Contracts;
using OrleansTok.Api.Infrastructure;
using OrleansTok.Api.Security;
using OrleansTok.Grains;
using OrleansTok.Model;
using OrleansTok.Telemetry;
using System.Diagnostics;

namespace OrleansTok.Api.Endpoints;

public static class FeedEndpoints
{
    public const int MaxCount = 50;
    public const int MaxEventsPerRequest = 1000;

    public static void MapFeed(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/v1/users/{userId}").WithTags("Feed").RequireAuthorization();
        users.MapGet("/feed", GetFeed);
        users.MapPost("/feed/reset", Reset);
        users.MapPost("/interactions", PostInteractions);
    }

    private static async Task<Results<Ok<FeedPage>, ValidationProblem, ProblemHttpResult>> GetFeed(string userId, int? count, ClaimsPrincipal caller, IGrainFactory grains, ILogger<FeedPage> logger)
    {
        var v = new Validator();
        v.Id("userId", userId);
        var n = count ?? 10;
        if (n is < 1 or > MaxCount) v.Add("count", $"must be between 1 and {MaxCount}");
        if (!v.IsValid) return Problems.Invalid(v);
        if (!caller.Is(userId)) return Problems.Forbidden("Users read only their own feed.");

        var started = Stopwatch.GetTimestamp();
        var requestId = Guid.NewGuid().ToString("N");
        RequestScope.Flow(RequestScope.FeedRequestId, requestId);
        using var scope = logger.BeginScope(new Dictionary<string, object> { [RequestScope.FeedRequestId] = requestId });
        var page = await grains.Get<IUserGrain>(userId).GetFeed(new FeedRequest(n, RequestId: requestId));
        OrleansTokMetrics.FeedDuration.Record(OrleansTokMetrics.MillisecondsSince(started));
        return page is null ? Problems.NotFound($"User '{userId}' does not exist.") : TypedResults.Ok(page);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Reset(string userId, ClaimsPrincipal caller, IGrainFactory grains)
    {
        var v = new Validator();
        if (!v.Id("userId", userId)) return Problems.Invalid(v);
        if (!caller.Is(userId)) return Problems.Forbidden("Users reset only their own feed.");
        var status = await grains.Get<IUserGrain>(userId).ResetFeed();
        return status == CommandStatus.NotFound ? Problems.NotFound($"User '{userId}' does not exist.") : TypedResults.NoContent();
    }

    private static async Task<Results<Accepted<InteractionsAccepted>, ValidationProblem, ProblemHttpResult>> PostInteractions(
        string userId, InteractionsRequest body, ClaimsPrincipal caller, IGrainFactory grains, TimeProvider time)
    {
        var v = new Validator();
        v.Id("userId", userId);
        if (v.IsValid && !caller.Is(userId)) return Problems.Forbidden("Users post only their own interactions.");
        var events = Parse(body, v, time.GetUtcNow());
        if (!v.IsValid) return Problems.Invalid(v);

        var result = await grains.Get<IUserGrain>(userId).Record(events);
        return result.Status switch
        {
            CommandStatus.NotFound => Problems.NotFound($"User '{userId}' does not exist."),
            CommandStatus.UnknownVideo => Problems.NotFound($"Unknown video(s): {string.Join(", ", result.UnknownVideoIds.Take(10))}. No event was accepted."),
            _ => TypedResults.Accepted($"/v1/users/{userId}", new InteractionsAccepted(result.Accepted, result.Duplicates)),
        };
    }

    internal static List<Interaction> Parse(InteractionsRequest body, Validator v, DateTimeOffset now)
    {
        var result = new List<Interaction>();
        if (body.Events is null) { v.Add("events", "is required"); return result; }
        if (body.Events.Length is 0 or > MaxEventsPerRequest) { v.Add("events", $"must hold between 1 and {MaxEventsPerRequest} events"); return result; }

        // The same event twice in one request is a client bug; the same event in a later request is a retry (idempotent).
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < body.Events.Length; i++)
        {
            var e = body.Events[i];
            // Field names are built for errors only: three strings per event on every valid batch were
            // ~30 % of the strings the API allocated under ingest (dotnet-trace).
            var p = new EventPath(i);
            if (e is null) { v.Add(p.ToString(), "must be an object"); continue; }
            if (e.EventId is not null && !firstIndex.TryAdd(e.EventId, i))
            {
                v.Add(p.Of("eventId"), $"repeats events[{firstIndex[e.EventId]}].eventId: an event id must be unique within a request");
            }
            var ok = ValidId(v, p, "eventId", e.EventId) & ValidId(v, p, "videoId", e.VideoId);
            if (e.FeedRequestId is not null) ok &= ValidId(v, p, "feedRequestId", e.FeedRequestId);
            InteractionType type = default;
            if (e.Type is null) { v.Add(p.Of("type"), "is required"); ok = false; }
            else if (!Wire.InteractionTypes.TryGetValue(e.Type, out type))
            {
                v.Add(p.Of("type"), $"must be one of: {string.Join(", ", Wire.InteractionTypes.Keys)}");
                ok = false;
            }
            if (ok && type == InteractionType.View && e.WatchMs is null) { v.Add(p.Of("watchMs"), "is required for a view"); ok = false; }
            if (e.WatchMs is < 0 or > 86_400_000) { v.Add(p.Of("watchMs"), "must be between 0 and 86400000 (one day)"); ok = false; }
            if (e.At is { } at && at > now.AddMinutes(5)) { v.Add(p.Of("at"), "must not be in the future"); ok = false; }
            if (ok) result.Add(new Interaction(e.EventId!, e.VideoId!, type, e.WatchMs ?? 0, e.FeedRequestId, e.At ?? now));
        }
        return result;

        static bool ValidId(Validator v, EventPath p, string field, string? value) => Validator.IsId(value) || v.Id(p.Of(field), value);
    }

    /// <summary>An event's place in a request, named only when an error needs it.</summary>
    private readonly record struct EventPath(int Index)
    {
        public override string ToString() => $"events[{Index}]";

        public string Of(string field) => $"events[{Index}].{field}";
    }
}
