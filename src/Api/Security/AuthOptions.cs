namespace OrleansTok.Api.Security;

/// <summary>Token validation settings, bound from "Auth".</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";
    public const string DevelopmentIssuer = "orleanstok-dev";
    public const string DevelopmentAudience = "orleanstok";

    public string? Issuer { get; set; }
    public string? Audience { get; set; }

    /// <summary>HS256 key, at least 32 bytes (UTF-8).</summary>
    public string? SigningKey { get; set; }

    /// <summary>An OpenID Connect authority whose signing keys are fetched (production identity providers).</summary>
    public string? Authority { get; set; }

    /// <summary>Lifetime of tokens minted by the development endpoint.</summary>
    public TimeSpan DevelopmentTokenLifetime { get; set; } = TimeSpan.FromHours(12);
}

public static class Roles
{
    public const string Admin = "admin";
    public const string Operator = "operator";
}

public static class ClaimNames
{
    public const string Subject = "sub";
    public const string Role = "role";
}
