using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansTok.Api.Infrastructure;

namespace OrleansTok.Api.Security;

/// <summary><c>POST /dev/token</c>: a signed token for any user, mapped only in Development.</summary>
public static class DevTokenEndpoint
{
    private static readonly HashSet<string> KnownRoles = [Roles.Admin, Roles.Operator];

    public sealed record DevTokenRequest(string? UserId, string[]? Roles);

    public sealed record DevTokenResponse(string Token, DateTimeOffset ExpiresAt);

    public static void MapDevToken(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) return;
        app.MapPost("/dev/token", Issue).AllowAnonymous().WithTags("Development");
    }

    private static Results<Ok<DevTokenResponse>, ValidationProblem> Issue(DevTokenRequest body, AuthOptions auth, TimeProvider time)
    {
        var v = new Validator();
        v.Id("userId", body.UserId);
        foreach (var role in body.Roles ?? [])
        {
            if (!KnownRoles.Contains(role)) v.Add("roles", $"unknown role '{role}': use {string.Join(" or ", KnownRoles)}");
        }
        if (!v.IsValid) return Problems.Invalid(v);

        var now = time.GetUtcNow();
        var claims = new List<Claim> { new(ClaimNames.Subject, body.UserId!) };
        claims.AddRange((body.Roles ?? []).Distinct().Select(r => new Claim(ClaimNames.Role, r)));
        var expires = now + auth.DevelopmentTokenLifetime;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Issuer,
            Audience = auth.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(SecurityRegistration.SigningKey(auth.SigningKey!), SecurityAlgorithms.HmacSha256),
        });
        return TypedResults.Ok(new DevTokenResponse(token, expires));
    }
}
