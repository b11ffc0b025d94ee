using System.Security.Claims;

namespace OrleansTok.Api.Security;

/// <summary>Who is calling, as the validated token says.</summary>
public static class Caller
{
    public static string? Id(this ClaimsPrincipal principal) => principal.FindFirst(ClaimNames.Subject)?.Value;

    public static bool Is(this ClaimsPrincipal principal, string userId) =>
        principal.Identity?.IsAuthenticated == true && string.Equals(principal.Id(), userId, StringComparison.Ordinal);

    public static bool IsAdmin(this ClaimsPrincipal principal) => principal.IsInRole(Roles.Admin);
}
