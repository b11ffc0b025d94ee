using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansTok.Tests.Api;

/// <summary>What operators see: health, Prometheus metrics and the dashboard, on the management port only.</summary>
public sealed class ManagementTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private ApiServer Server => fixture.Server;

    [Fact]
    public async Task Health_is_served_everywhere_and_ready_once_the_cluster_answers()
    {
        foreach (var http in new[] { Server.Client, Server.Management })
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
            var ready = await http.GetFromJsonAsync<JsonElement>("/health/ready");
            Assert.Equal("ready", ready.GetProperty("status").GetString());
            Assert.Equal("ok", ready.GetProperty("checks").GetProperty("cluster").GetString());
        }
    }

    [Fact]
    public async Task Metrics_and_dashboard_answer_on_the_management_port_and_nowhere_else()
    {
        var user = "m-" + Guid.NewGuid().ToString("N")[..10];
        var http = Server.As(user);
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/v1/users", new { id = user, language = "en", country = "US" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/v1/users/{user}/feed")).StatusCode);

        var metrics = await Server.Management.GetStringAsync("/metrics");
        Assert.Contains("orleanstok_feed_duration_milliseconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("orleans_grains{", metrics, StringComparison.Ordinal); // activations by grain type, Orleans' own
        Assert.Contains("grain_type=\"user\"", metrics, StringComparison.Ordinal);
        Assert.Contains("orleans_", metrics, StringComparison.Ordinal); // Orleans' own meter
        Assert.Contains("http_server_request_duration_seconds", metrics, StringComparison.Ordinal);

        var dashboard = await Server.Management.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);

        // The public port does not serve them, whatever Host header a caller sends.
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        spoofed.Headers.Host = Server.Management.BaseAddress!.Authority;
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Client.SendAsync(spoofed)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Client.GetAsync("/dashboard/")).StatusCode);
    }
}
