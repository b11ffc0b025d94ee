using Microsoft.IdentityModel.Tokens;
using OrleansTok.Api.Security;

namespace OrleansTok.Tests.Api;

/// <summary>The remembered bearer-token check: it answers for a token only while the full check would.</summary>
public class CachingTokenHandlerTests
{
    private readonly ManualTime _time = new() { Now = DateTimeOffset.UtcNow }; // the tokens are issued on the real clock

    /// <summary>The API's parameters, with the token's lifetime judged on the test's clock.</summary>
    private TokenValidationParameters Parameters(string audience = ApiServer.Audience) => new()
    {
        ValidIssuer = ApiServer.Issuer,
        ValidAudience = audience,
        IssuerSigningKey = SecurityRegistration.SigningKey(ApiServer.Key),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        LifetimeValidator = (_, expires, _, _) => expires > _time.Now.UtcDateTime,
    };

    [Fact]
    public async Task A_valid_token_is_checked_once_then_remembered_for_at_most_a_minute()
    {
        var handler = new CachingTokenHandler(_time);
        var token = ApiServer.Token("cached-user");

        var first = await handler.ValidateTokenAsync(token, Parameters());
        Assert.True(first.IsValid);
        Assert.Same(first, await handler.ValidateTokenAsync(token, Parameters()));
        Assert.Equal("cached-user", first.ClaimsIdentity.FindFirst("sub")?.Value);

        _time.Now += CachingTokenHandler.MaxAge + TimeSpan.FromSeconds(1);
        var again = await handler.ValidateTokenAsync(token, Parameters());
        Assert.True(again.IsValid);
        Assert.NotSame(first, again); // checked in full again
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        var handler = new CachingTokenHandler(_time);
        var token = ApiServer.Token("expiring-user", expires: _time.Now.UtcDateTime.AddSeconds(20));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters())).IsValid);

        _time.Now += TimeSpan.FromSeconds(21); // well inside the minute it could otherwise be remembered for
        Assert.False((await handler.ValidateTokenAsync(token, Parameters())).IsValid);
    }

    [Fact]
    public async Task Refused_tokens_are_not_remembered_and_a_forged_one_is_refused_beside_a_remembered_one()
    {
        var handler = new CachingTokenHandler(_time);
        var token = ApiServer.Token("some-user");
        Assert.False((await handler.ValidateTokenAsync(token, Parameters(audience: "someone-else"))).IsValid);
        Assert.True((await handler.ValidateTokenAsync(token, Parameters())).IsValid);

        var forged = ApiServer.Token("some-user", key: "another-key-that-is-long-enough-0123456789");
        Assert.False((await handler.ValidateTokenAsync(forged, Parameters())).IsValid);
        Assert.False((await handler.ValidateTokenAsync(forged, Parameters())).IsValid);
    }

    [Fact]
    public async Task Full_it_keeps_serving_what_it_holds_checks_the_rest_in_full_and_makes_room_as_they_expire()
    {
        var handler = new CachingTokenHandler(_time, capacity: 2);
        var tokens = Enumerable.Range(0, 4).Select(i => ApiServer.Token($"user-{i}")).ToList();
        var first = new List<TokenValidationResult>();
        foreach (var token in tokens) first.Add(await handler.ValidateTokenAsync(token, Parameters()));

        for (var i = 0; i < tokens.Count; i++)
        {
            var again = await handler.ValidateTokenAsync(tokens[i], Parameters());
            Assert.True(again.IsValid);
            Assert.Equal($"user-{i}", again.ClaimsIdentity.FindFirst("sub")?.Value);
            if (i < 2) Assert.Same(first[i], again); // remembered
            else Assert.NotSame(first[i], again); // no room: checked in full each time
        }

        _time.Now += CachingTokenHandler.MaxAge + TimeSpan.FromSeconds(1);
        var late = await handler.ValidateTokenAsync(tokens[3], Parameters()); // the two remembered have expired: swept
        Assert.Same(late, await handler.ValidateTokenAsync(tokens[3], Parameters()));
    }
}
