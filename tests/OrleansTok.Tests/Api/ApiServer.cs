using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansTok.Api;
using OrleansTok.Api.Security;

namespace OrleansTok.Tests.Api;

/// <summary>The real API (Kestrel on a loopback socket, with its embedded silo), started from the product's own host builder.</summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiServer(WebApplication app, Uri address, int managementPort)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address };
        Management = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };
    }

    /// <summary>An anonymous client of the management port (health, metrics, dashboard).</summary>
    public HttpClient Management { get; }

    public const string Issuer = "orleanstok-tests";
    public const string Audience = "orleanstok-api";
    public const string Key = "tests-only-signing-key-0123456789abcdef";

    /// <summary>An anonymous client.</summary>
    public HttpClient Client { get; }

    /// <summary>A client whose requests carry a valid token for <paramref name="userId"/>.</summary>
    public HttpClient As(string userId, params string[] roles)
    {
        var client = new HttpClient { BaseAddress = Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(userId, roles));
        return client;
    }

    public static string Token(string userId, string[]? roles = null, string issuer = Issuer, string audience = Audience, string key = Key,
        DateTime? expires = null)
    {
        var claims = new List<Claim> { new(ClaimNames.Subject, userId) };
        claims.AddRange((roles ?? []).Select(r => new Claim(ClaimNames.Role, r)));
        var exp = expires ?? DateTime.UtcNow.AddMinutes(30);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = exp.AddHours(-1),
            IssuedAt = exp.AddHours(-1),
            Expires = exp,
            SigningCredentials = new SigningCredentials(SecurityRegistration.SigningKey(key), SecurityAlgorithms.HmacSha256),
        });
    }

    public static async Task<ApiServer> StartAsync(params string[] extraArgs)
    {
        var managementPort = FreePort();
        string[] args =
        [
            "--urls=http://127.0.0.1:0", "--environment=Development", "--Demo:Enabled=false",
            $"--Auth:Issuer={Issuer}", $"--Auth:Audience={Audience}", $"--Auth:SigningKey={Key}",
            "--RateLimits:PerUserPerSecond=10000", "--RateLimits:PerUserBurst=10000",
            "--RateLimits:PerAddressPerSecond=100000", "--RateLimits:PerAddressBurst=100000",
            $"--Orleans:SiloPort={FreePort()}", $"--Management:Port={managementPort}", "--Management:Dashboard=true", $"--Orleans:GatewayPort={FreePort()}", $"--Orleans:ServiceId=api-{Guid.NewGuid():N}",
            "--Logging:LogLevel:Default=Warning", .. extraArgs,
        ];
        var app = await ApiHost.BuildAsync(args);
        await app.StartAsync();
        var publicAddress = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => !a.EndsWith($":{managementPort}", StringComparison.Ordinal));
        return new ApiServer(app, new Uri(publicAddress), managementPort);
    }

    /// <summary>
    /// A port nothing listens on and no other server of this test run was given. A port the OS picks
    /// for port 0 comes from the ephemeral range, which outgoing connections draw from too: once freed
    /// here, a client could take it before the server bound it. These come from 30000–32767, above
    /// the TestingHost's silo ports (22300–30000) and below the ephemeral range (32768 and up).
    /// </summary>
    public static int FreePort()
    {
        const int First = 30_000, Count = 2_768;
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + Interlocked.Increment(ref s_nextPort) % Count;
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // in use: try the next one
            }
        }
        throw new InvalidOperationException($"no free port in {First}–{First + Count - 1}");
    }

    private static int s_nextPort = Random.Shared.Next(2_768);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Management.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed class ApiFixture : IAsyncLifetime
{
    public ApiServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ApiServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
