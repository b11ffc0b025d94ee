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

    /// <summary>
    /// A remembered token holds ~5 KiB of heap (its parsed claims; the memory phase read 3.4 → 8.3 KiB
    /// a new user with no bound): 4,096 of them are ~20 MiB at most, whatever the number of users.
    /// </summary>
    public const int DefaultCapacity = 4_096;

    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, Validated> _valid = new(StringComparer.Ordinal);
    private long _nextSweep;

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
            if (until > now && HasRoom(now))
            {
                _ = result.ClaimsIdentity; // built now, once, rather than lazily by concurrent readers
                _valid[token] = new Validated(result, until);
            }
        }
        return result;
    }

    /// <summary>
    /// Full, it forgets what expired (at most every few seconds) and otherwise remembers nothing new:
    /// with more live tokens than room, the ones remembered keep being served and the rest are
    /// checked in full, rather than every token being forgotten and checked again in turn.
    /// </summary>
    private bool HasRoom(DateTimeOffset now)
    {
        if (_valid.Count < capacity) return true;
        var next = Interlocked.Read(ref _nextSweep);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextSweep, (now + SweepEvery).UtcTicks, next) != next) return false;
        foreach (var (token, validated) in _valid)
        {
            if (validated.Until <= now) _valid.TryRemove(new KeyValuePair<string, Validated>(token, validated));
        }
        return _valid.Count < capacity;
    }

    private sealed record Validated(TokenValidationResult Result, DateTimeOffset Until);
}
