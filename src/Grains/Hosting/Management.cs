using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;
using OrleansTok.Telemetry;

namespace OrleansTok.Hosting;

/// <summary>
/// The operator's side of every OrleansTok process: health, Prometheus metrics and the Orleans
/// Dashboard on a management port (<c>Management:Port</c>, bound to <c>Management:Address</c>,
/// loopback unless set). Metrics and the dashboard answer only on that port, whatever Host header a
/// request claims; put the port on a private network, never behind the public load balancer.
/// Logs are JSON with scopes outside Development, so the user and feed request ids can be followed
/// from the API into the silos.
/// </summary>
public static class Management
{
    public const string Section = "Management";

    /// <summary>Marks endpoints that only the management port serves.</summary>
    public sealed class ManagementOnly;

    public static int? Port(IConfiguration configuration) => configuration.GetValue<int?>($"{Section}:Port");

    /// <param name="publicUrls">False for a standalone silo, which serves nothing but the management port.</param>
    public static WebApplicationBuilder AddOrleansTokManagement(this WebApplicationBuilder builder, bool publicUrls)
    {
        var configuration = builder.Configuration;
        var urls = publicUrls ? (configuration["urls"] ?? "http://localhost:5000").Split(';', StringSplitOptions.RemoveEmptyEntries) : [];
        if (Port(configuration) is { } port)
        {
            urls = [.. urls, $"http://{configuration[$"{Section}:Address"] ?? "127.0.0.1"}:{port}"];
        }
        builder.WebHost.UseUrls(urls);

        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(OrleansTokMetrics.MeterName, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
                "System.Runtime")
            .AddPrometheusExporter());

        if (!builder.Environment.IsDevelopment())
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => o.IncludeScopes = true);
        }
        return builder;
    }

    /// <summary>Health on every port; metrics and the dashboard on the management port only. Call after UseRouting.</summary>
    public static void MapOrleansTokManagement(this WebApplication app)
    {
        var port = Port(app.Configuration);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansTok.Requests");
        app.Use(async (context, next) =>
        {
            // The user and trace ids travel with every grain call this request makes (RequestContext)
            // and scope every log line written for it, here and in the silos.
            RequestScope.Flow(RequestScope.UserId, context.GetRouteValue("userId") as string);
            RequestScope.Flow(RequestScope.TraceId, System.Diagnostics.Activity.Current?.TraceId.ToString());
            using var scope = RequestScope.Begin(logger);
            await next(context);
        });
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<ManagementOnly>() is not null && context.Connection.LocalPort != port)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(context);
        });
        app.MapHealth();
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new ManagementOnly());
        if (app.Configuration.DashboardEnabled()) app.MapOrleansDashboard("/dashboard").WithMetadata(new ManagementOnly());
    }
}
