using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansTok.Api.Security;

/// <summary>
/// The bearer-token check, done once per token and then remembered: an app client sends the same
/// token with every request until it expires, and the full check (parse the JSON, verify the HMAC,
/// build the claims) was ~6 % of a feed page's CPU (perf, docs/benchmarks.md). Only valid results
/// are remembered, never past the token's own expiry and never longer than <see cref="MaxAge"/>,
/// so a signing key taken out of the configuration stops being honoured within that time. The
/// remembered claims are shared by the requests that present the token, and nothing here changes them.
/// </summary>
public sealed class CachingTokenHandler(TimeProvider time, int capacity = CachingTokenHandler.DefaultCapacity) : JsonWebTokenHandler
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    /// <summary>About 2 KB a token: a bounded few tens of MB at the most.</summary>
    public const int DefaultCapacity = 16_384;

    private readonly ConcurrentDictionary<string, Validated> _valid = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = time.GetUtcNow();
        if (_valid.TryGetValue(token, out var known))
        {
            if (known.Until > now) return known.Result;
            _valid.TryRemove(new KeyValuePair<string, Validated>(token, known));
        }
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } validated)
        {
            var expires = new DateTimeOffset(DateTime.SpecifyKind(validated.ValidTo, DateTimeKind.Utc));
            var until = expires < now + MaxAge ? expires : now + MaxAge;
            if (until > now)
            {
                _ = result.ClaimsIdentity; // built now, once, rather than lazily by concurrent readers
                // Many distinct live tokens at once: start over rather than track which is oldest.
                if (_valid.Count >= capacity) _valid.Clear();
                _valid[token] = new Validated(result, until);
            }
        }
        return result;
    }

    private sealed record Validated(TokenValidationResult Result, DateTimeOffset Until);
}
