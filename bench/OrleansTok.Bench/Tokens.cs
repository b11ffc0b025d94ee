using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansTok.Bench;

/// <summary>Mints the bearer tokens the API expects, with the key the script configured it with.</summary>
public sealed class Tokens(string issuer, string audience, string key)
{
    private readonly ConcurrentDictionary<string, string> _cache = new();
    private readonly SigningCredentials _credentials = new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256);
    private readonly JsonWebTokenHandler _handler = new();

    public string For(string userId) => _cache.GetOrAdd(userId, id => _handler.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = issuer,
        Audience = audience,
        Subject = new ClaimsIdentity([new Claim("sub", id)]),
        Expires = DateTime.UtcNow.AddHours(6),
        SigningCredentials = _credentials,
    }));
}
