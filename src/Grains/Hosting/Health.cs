using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansTok.Journal;

namespace OrleansTok.Hosting;

/// <summary>
/// Liveness says the process serves HTTP and touches nothing else; readiness says requests can
/// succeed: the cluster answers a grain call and PostgreSQL (when configured) a query, each within
/// two seconds. Load balancers route on readiness; orchestrators restart on liveness. Served by the
/// API on its public and management ports and by standalone silos on their management port.
/// </summary>
public static class Health
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => TypedResults.Ok(new { status = "live" })).WithTags("Health").AllowAnonymous();
        app.MapGet("/health/ready", ReadyAsync).WithTags("Health").AllowAnonymous();
    }

    private static async Task<IResult> ReadyAsync(IClusterClient cluster, HttpContext http, IServiceProvider services)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(Budget);
        var clusterOk = await ClusterAnswersAsync(cluster, timeout.Token);
        var postgres = services.GetService<PostgresDataSource>();
        var postgresOk = postgres is null ? (bool?)null : await postgres.PingAsync(timeout.Token);
        var checks = new Dictionary<string, string>
        {
            ["cluster"] = clusterOk ? "ok" : "unavailable",
            ["postgres"] = postgresOk switch { null => "not configured", true => "ok", false => "unavailable" },
        };
        if (clusterOk && postgresOk != false) return TypedResults.Ok(new { status = "ready", checks });
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(title: "Not ready.", statusCode: StatusCodes.Status503ServiceUnavailable,
            extensions: new Dictionary<string, object?> { ["checks"] = checks });
    }

    private static Task<Dictionary<SiloAddress, SiloStatus>> GetActiveHosts(IClusterClient cluster) =>
        cluster.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);

    private static async Task<bool> ClusterAnswersAsync(IClusterClient cluster, CancellationToken cancellationToken)
    {
        try
        {
            var hosts = await GetActiveHosts(cluster).WaitAsync(Budget, cancellationToken);
            return hosts.Count > 0;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false; // whatever the failure, the cluster cannot serve requests now
        }
    }
}
