using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace OrleansTok.Api.Security;

/// <summary>Token buckets per client address and per authenticated user, bound from "RateLimits".</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    public bool Enabled { get; set; } = true;
    public int PerUserPerSecond { get; set; } = 50;
    public int PerUserBurst { get; set; } = 100;
    public int PerAddressPerSecond { get; set; } = 500;
    public int PerAddressBurst { get; set; } = 1000;
}

public static class RateLimits
{
    public static void AddOrleansTokRateLimits(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(ctx => Exempt(ctx, options)
                    ? RateLimitPartition.GetNoLimiter("exempt")
                    : Bucket($"addr:{ctx.Connection.RemoteIpAddress}", options.PerAddressPerSecond, options.PerAddressBurst)),
                PartitionedRateLimiter.Create<HttpContext, string>(ctx => Exempt(ctx, options) || ctx.User.Id() is not { } id
                    ? RateLimitPartition.GetNoLimiter("anonymous")
                    : Bucket($"user:{id}", options.PerUserPerSecond, options.PerUserBurst)));
            o.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var delay) ? Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)) : 1;
                var response = context.HttpContext.Response;
                response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests.", Detail = $"Retry after {retryAfter} s." },
                });
            };
        });
    }

    private static bool Exempt(HttpContext context, RateLimitOptions options) =>
        !options.Enabled || context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal);

    private static RateLimitPartition<string> Bucket(string key, int perSecond, int burst) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, burst),
            TokensPerPeriod = Math.Max(1, perSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
}
