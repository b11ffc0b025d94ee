using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace OrleansTok.Api.Security;

/// <summary>
/// JWT bearer authentication. Production needs Auth:Issuer, Auth:Audience and either
/// Auth:SigningKey (HS256, ≥ 32 bytes) or Auth:Authority, or the API refuses to start. Development
/// without a key uses a random per-process key that only <c>POST /dev/token</c> can sign with.
/// </summary>
public static class SecurityRegistration
{
    public static void AddOrleansTokAuthentication(this WebApplicationBuilder builder)
    {
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var development = builder.Environment.IsDevelopment();
        if (auth.SigningKey is null && auth.Authority is null)
        {
            if (!development)
            {
                throw new InvalidOperationException(
                    "Authentication is not configured: set Auth:SigningKey (HS256, at least 32 bytes) or Auth:Authority, with Auth:Issuer and Auth:Audience.");
            }
            auth.SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        }
        if (development)
        {
            auth.Issuer ??= AuthOptions.DevelopmentIssuer;
            auth.Audience ??= AuthOptions.DevelopmentAudience;
        }
        if (string.IsNullOrEmpty(auth.Issuer) || string.IsNullOrEmpty(auth.Audience))
        {
            throw new InvalidOperationException("Auth:Issuer and Auth:Audience are required.");
        }
        if (auth.SigningKey is not null && Encoding.UTF8.GetByteCount(auth.SigningKey) < 32)
        {
            throw new InvalidOperationException("Auth:SigningKey must be at least 32 bytes.");
        }

        builder.Services.AddSingleton(auth);
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false; // keep "sub" and "role" as issued
            o.Authority = auth.Authority;
            o.RequireHttpsMetadata = !development;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = auth.Issuer,
                ValidAudience = auth.Audience,
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                ValidateIssuerSigningKey = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = ClaimNames.Subject,
                RoleClaimType = ClaimNames.Role,
                IssuerSigningKey = auth.SigningKey is null ? null : SigningKey(auth.SigningKey),
                ValidAlgorithms = auth.SigningKey is null ? null : [SecurityAlgorithms.HmacSha256],
            };
            o.TokenHandlers.Clear();
            o.TokenHandlers.Add(new CachingTokenHandler(TimeProvider.System) { MapInboundClaims = false });
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Roles.Operator, p => p.RequireRole(Roles.Operator));
    }

    public static SymmetricSecurityKey SigningKey(string key) => new(Encoding.UTF8.GetBytes(key));
}
