using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansTok.Api.Endpoints;
using OrleansTok.Api.Infrastructure;
using OrleansTok.Api.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansTok.Hosting;

namespace OrleansTok.Api;

/// <summary>
/// Builds the HTTP front door. By default it hosts a silo in-process (the embedded default, or a
/// silo member of a PostgreSQL cluster); with <c>Orleans:Role=client</c> it joins a cluster of
/// standalone silos as an Orleans client instead.
/// </summary>
public static class ApiHost
{
    /// <summary>Bodies above this are refused with 413 before they are read: 1,000 events fit comfortably.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var webRoot = Directory.Exists(Path.Combine(Directory.GetCurrentDirectory(), "wwwroot"))
            ? null
            : Path.Combine(AppContext.BaseDirectory, "wwwroot");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, WebRootPath = webRoot });
        configure?.Invoke(builder);
        var configuration = builder.Configuration;

        if (configuration.PostgresConnectionString() is { } postgres)
        {
            await PostgresSchema.ApplyAsync(postgres);
            // Readiness pings the database; a co-hosted silo shares this pool with its journal.
            builder.Services.TryAddSingleton(_ => new OrleansTok.Journal.PostgresDataSource(postgres));
        }

        if (string.Equals(configuration["Orleans:Role"], "client", StringComparison.OrdinalIgnoreCase))
        {
            builder.UseOrleansClient(client => client.UseOrleansTok(configuration));
        }
        else
        {
            builder.UseOrleans(silo => silo.UseOrleansTok(configuration));
        }
        if (configuration.GetValue("Demo:Enabled", true))
        {
            builder.Services.AddHostedService<DemoCatalog>();
        }

        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddOrleansTokManagement(publicUrls: true);
        builder.AddOrleansTokAuthentication();
        builder.AddOrleansTokRateLimits();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);

        var app = builder.Build();
        app.UseExceptionHandler();
        // The demo page's files. API and health paths never reach them: the default-files probe is a
        // file-system call (stat) on every request it sees.
        app.UseWhen(static c => !c.Request.Path.StartsWithSegments("/v1") && !c.Request.Path.StartsWithSegments("/health"), static files =>
        {
            files.UseDefaultFiles();
            files.UseStaticFiles();
        });
        app.UseStatusCodePages();
        app.UseRouting();
        app.MapOrleansTokManagement();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.MapOpenApi().AllowAnonymous();
        app.MapDevToken();
        app.MapUsers();
        app.MapFeed();
        app.MapVideos();
        return app;
    }
}
