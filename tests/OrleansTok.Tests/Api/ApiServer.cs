using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OrleansTok.Api;

namespace OrleansTok.Tests.Api;

/// <summary>The real API (Kestrel on a loopback socket, with its embedded silo), started from the product's own host builder.</summary>
public sealed class ApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiServer(WebApplication app, Uri address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address };
    }

    public HttpClient Client { get; }

    public static async Task<ApiServer> StartAsync(params string[] extraArgs)
    {
        string[] args =
        [
            "--urls=http://127.0.0.1:0", "--environment=Development", "--Demo:Enabled=false",
            $"--Orleans:SiloPort={FreePort()}", $"--Orleans:GatewayPort={FreePort()}", $"--Orleans:ServiceId=api-{Guid.NewGuid():N}",
            "--Logging:LogLevel:Default=Warning", .. extraArgs,
        ];
        var app = await ApiHost.BuildAsync(args);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ApiServer(app, new Uri(address));
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
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
