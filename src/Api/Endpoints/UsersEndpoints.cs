using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTok.Api.Contracts;
using OrleansTok.Api.Infrastructure;
using OrleansTok.Api.Security;
using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Api.Endpoints;

public static class UsersEndpoints
{
    public static void MapUsers(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/v1/users").WithTags("Users").RequireAuthorization();
        users.MapPost("/", Create);
        users.MapGet("/{userId}", Get);
        users.MapGet("/{userId}/profile", GetProfile);
        users.MapPut("/{userId}/following/{creatorId}", (string userId, string creatorId, ClaimsPrincipal caller, IGrainFactory g) => ChangeFollow(userId, creatorId, caller, g, follow: true));
        users.MapDelete("/{userId}/following/{creatorId}", (string userId, string creatorId, ClaimsPrincipal caller, IGrainFactory g) => ChangeFollow(userId, creatorId, caller, g, follow: false));
    }

    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> Create(CreateUserRequest body, ClaimsPrincipal caller, IGrainFactory grains)
    {
        var v = new Validator();
        v.Id("id", body.Id);
        v.Language("language", body.Language);
        v.Country("country", body.Country);
        v.Text("deviceType", body.DeviceType, 32, required: false);
        var interests = v.Hashtags("interests", body.Interests, Validator.MaxInterests);
        if (!v.IsValid) return Problems.Invalid(v);
        if (!caller.Is(body.Id!) && !caller.IsAdmin()) return Problems.Forbidden("A user account can only be created by its own token (sub = id).");

        var user = grains.Get<IUserGrain>(body.Id!);
        var status = await user.Create(new UserSettings(body.Language!, body.Country!, body.DeviceType ?? "unknown", interests));
        if (status == CommandStatus.Conflict) return Problems.Conflict($"User '{body.Id}' already exists.");
        var summary = await user.GetSummary();
        return TypedResults.Created($"/v1/users/{body.Id}", UserResponse.From(summary!));
    }

    private static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> Get(string userId, ClaimsPrincipal caller, IGrainFactory grains)
    {
        var v = new Validator();
        if (!v.Id("userId", userId)) return Problems.Invalid(v);
        if (!caller.Is(userId) && !caller.IsAdmin()) return Problems.Forbidden("Only the user can read their own profile.");
        var summary = await grains.Get<IUserGrain>(userId).GetSummary();
        return summary is null ? Problems.NotFound($"User '{userId}' does not exist.") : TypedResults.Ok(UserResponse.From(summary));
    }

    private static async Task<Results<Ok<UserProfile>, ValidationProblem, ProblemHttpResult>> GetProfile(string userId, ClaimsPrincipal caller, IGrainFactory grains)
    {
        var v = new Validator();
        if (!v.Id("userId", userId)) return Problems.Invalid(v);
        if (!caller.Is(userId)) return Problems.Forbidden("Only the user can read their own profile.");
        var profile = await grains.Get<IUserGrain>(userId).GetProfile();
        return profile is null ? Problems.NotFound($"User '{userId}' does not exist.") : TypedResults.Ok(profile);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangeFollow(string userId, string creatorId, ClaimsPrincipal caller, IGrainFactory grains, bool follow)
    {
        var v = new Validator();
        v.Id("userId", userId);
        v.Id("creatorId", creatorId);
        if (v.IsValid && userId == creatorId) v.Add("creatorId", "a user cannot follow themselves");
        if (!v.IsValid) return Problems.Invalid(v);
        if (!caller.Is(userId)) return Problems.Forbidden("Users change only their own follows.");

        var user = grains.Get<IUserGrain>(userId);
        var status = follow ? await user.Follow(creatorId) : await user.Unfollow(creatorId);
        return status switch
        {
            CommandStatus.NotFound => Problems.NotFound($"User '{userId}' does not exist."),
            CommandStatus.UnknownCreator => Problems.NotFound($"Creator '{creatorId}' does not exist."),
            _ => TypedResults.NoContent(),
        };
    }
}
