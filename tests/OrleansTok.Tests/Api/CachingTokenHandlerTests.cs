using Microsoft.IdentityModel.Tokens;
using OrleansTok.Api.Security;

namespace OrleansTok.Tests.Api;

/// <summary>The remembered bearer-token check: it answers for a token only while the full check would.</summary>
public class CachingTokenHandlerTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private readonly ManualTime _time = new();

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
    public async Task More_live_tokens_than_it_holds_are_each_still_judged_correctly()
    {
        var handler = new CachingTokenHandler(_time, capacity: 2);
        var tokens = Enumerable.Range(0, 5).Select(i => ApiServer.Token($"user-{i}")).ToList();
        foreach (var round in Enumerable.Range(0, 2))
        {
            foreach (var (token, i) in tokens.Select((t, i) => (t, i)))
            {
                var result = await handler.ValidateTokenAsync(token, Parameters());
                Assert.True(result.IsValid);
                Assert.Equal($"user-{i}", result.ClaimsIdentity.FindFirst("sub")?.Value);
            }
        }
    }
}
