using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansTok.Tests.Api;

/// <summary>The HTTP contract, over a real socket against the real server.</summary>
public class HttpApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _http = fixture.Server.Client;
    private readonly HttpClient _admin = fixture.Server.As("root", "admin");

    private HttpClient As(string userId) => fixture.Server.As(userId);

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..30];

    private async Task<string> CreateUser(params string[] interests)
    {
        var id = NewId("u");
        var response = await As(id).PostAsJsonAsync("/v1/users", new { id, language = "en", country = "US", deviceType = "ios", interests });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private async Task<string> Upload(string creatorId, params string[] hashtags)
    {
        var id = NewId("v");
        var response = await As(creatorId).PostAsJsonAsync("/v1/videos",
            new { id, creatorId, caption = "hello", hashtags, soundId = NewId("s"), language = "en", durationMs = 15000 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return id;
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_whole_session_over_http_upload_feed_interact_and_counters()
    {
        var creator = await CreateUser();
        var viewer = await CreateUser("gardening");
        var video = await Upload(creator, "#Gardening", "plants");
        var http = As(viewer);

        // This test holds the HTTP contract; how fast an upload and counters travel is held by the
        // cluster's real-time tests and measured by the benchmark, so the waits here are generous.
        var patience = TimeSpan.FromSeconds(5);
        JsonElement feed = default;
        await Cluster.Eventually.HoldsAsync(async () =>
        {
            feed = await http.GetFromJsonAsync<JsonElement>($"/v1/users/{viewer}/feed?count=10");
            return feed.ToString().Contains(video, StringComparison.Ordinal);
        }, patience, "the upload in the viewer's feed");
        var item = feed.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("videoId").GetString() == video);
        Assert.Equal(["gardening", "plants"], item.GetProperty("hashtags").EnumerateArray().Select(h => h.GetString()));
        Assert.False(string.IsNullOrEmpty(item.GetProperty("reason").GetString()));
        Assert.False(string.IsNullOrEmpty(item.GetProperty("source").GetString()));
        var requestId = feed.GetProperty("requestId").GetString();

        var post = await http.PostAsJsonAsync($"/v1/users/{viewer}/interactions", new
        {
            events = new object[]
            {
                new { eventId = "e1", videoId = video, type = "view", watchMs = 15000, feedRequestId = requestId },
                new { eventId = "e2", videoId = video, type = "like", feedRequestId = requestId },
            },
        });
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var accepted = await post.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((2, 0), (accepted.GetProperty("accepted").GetInt32(), accepted.GetProperty("duplicates").GetInt32()));

        // A retry of an acknowledged event (same id) is acknowledged again and counted once.
        var retry = await http.PostAsJsonAsync($"/v1/users/{viewer}/interactions", new { events = new[] { new { eventId = "e2", videoId = video, type = "like" } } });
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        accepted = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((0, 1), (accepted.GetProperty("accepted").GetInt32(), accepted.GetProperty("duplicates").GetInt32()));

        JsonElement details = default;
        await Cluster.Eventually.HoldsAsync(async () =>
        {
            details = await _http.GetFromJsonAsync<JsonElement>($"/v1/videos/{video}");
            return details.GetProperty("likes").GetInt64() == 1 && details.GetProperty("completions").GetInt64() == 1
                && details.GetProperty("impressions").GetInt64() >= 1; // impressions travel in per-silo batches
        }, patience, "counters over HTTP");
        Assert.Equal("active", details.GetProperty("status").GetString());

        var follow = await http.PutAsync($"/v1/users/{viewer}/following/{creator}", null);
        Assert.Equal(HttpStatusCode.NoContent, follow.StatusCode);
        await Cluster.Eventually.HoldsAsync(async () =>
            (await _http.GetFromJsonAsync<JsonElement>($"/v1/creators/{creator}")).GetProperty("followers").GetInt64() == 1,
            patience, "followers over HTTP");

        var user = await http.GetFromJsonAsync<JsonElement>($"/v1/users/{viewer}");
        Assert.Equal(1, user.GetProperty("following").GetInt32());
        Assert.Equal(1, user.GetProperty("likes").GetInt32());

        var status = await _admin.PutAsJsonAsync($"/v1/videos/{video}/status", new { status = "under_review" });
        Assert.Equal("under_review", (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync($"/v1/users/{viewer}/feed/reset", null)).StatusCode);
        var trending = await _http.GetFromJsonAsync<JsonElement>("/v1/trending?country=US&language=en&count=5");
        Assert.Equal(JsonValueKind.Array, trending.GetProperty("items").ValueKind);
    }

    [Theory]
    [InlineData("{\"id\":\"\",\"language\":\"en\",\"country\":\"US\"}", "id")]
    [InlineData("{\"id\":\"ok-id\",\"language\":\"english\",\"country\":\"US\"}", "language")]
    [InlineData("{\"id\":\"ok-id\",\"language\":\"en\"}", "country")]
    [InlineData("{\"id\":\"bad id!\",\"language\":\"en\",\"country\":\"US\"}", "id")]
    [InlineData("{\"id\":\"ok-id\",\"language\":\"en\",\"country\":\"US\",\"interests\":[\"not a tag\"]}", "interests[0]")]
    public async Task Invalid_users_get_a_400_problem_naming_the_field(string body, string field)
    {
        var response = await _admin.PostAsync("/v1/users", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await Problem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync("/v1/users/ok-id")).StatusCode);
    }

    [Theory]
    [InlineData("{\"events\":[{\"eventId\":\"a\",\"videoId\":\"V\",\"type\":\"teleport\"}]}", "events[0].type")]
    [InlineData("{\"events\":[{\"eventId\":\"a\",\"videoId\":\"V\",\"type\":\"view\",\"watchMs\":-5}]}", "events[0].watchMs")]
    [InlineData("{\"events\":[{\"eventId\":\"a\",\"videoId\":\"V\",\"type\":\"view\"}]}", "events[0].watchMs")]
    [InlineData("{\"events\":[]}", "events")]
    [InlineData("{}", "events")]
    public async Task Invalid_interactions_get_a_400_problem_and_change_nothing(string body, string field)
    {
        var user = await CreateUser();
        var video = await Upload(await CreateUser(), "x");
        var response = await As(user).PostAsync($"/v1/users/{user}/interactions", new StringContent(body.Replace("\"V\"", $"\"{video}\"", StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        var problem = await Problem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(0, (await As(user).GetFromJsonAsync<JsonElement>($"/v1/users/{user}")).GetProperty("interactions").GetInt64());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"events\":\"many\"}")]
    [InlineData("{\"events\":[{\"eventId\":\"a\",\"videoId\":\"v\",\"type\":\"view\",\"watchMs\":1e40}]}")]
    [InlineData("{\"events\":[],\"extra\":true}")]
    public async Task Malformed_json_gets_a_400_problem(string body)
    {
        var user = await CreateUser();
        var response = await As(user).PostAsync($"/v1/users/{user}/interactions", new StringContent(body, Encoding.UTF8, "application/json"));
        await Problem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unknown_resources_get_404_problems_and_a_bad_count_400()
    {
        var user = await CreateUser();
        var http = As(user);
        await Problem(await As("nobody-here").GetAsync("/v1/users/nobody-here/feed"), HttpStatusCode.NotFound);
        await Problem(await _http.GetAsync("/v1/videos/nothing-here"), HttpStatusCode.NotFound);
        await Problem(await _http.GetAsync("/v1/creators/nobody-here"), HttpStatusCode.NotFound);
        await Problem(await http.PutAsync($"/v1/users/{user}/following/nobody-here", null), HttpStatusCode.NotFound);
        await Problem(await As("nobody-here").PostAsJsonAsync("/v1/videos", new { id = NewId("v"), creatorId = "nobody-here", soundId = "s", language = "en", durationMs = 5000 }), HttpStatusCode.NotFound);
        var unknownVideo = await http.PostAsJsonAsync($"/v1/users/{user}/interactions", new { events = new[] { new { eventId = "e", videoId = "nothing-here", type = "like" } } });
        await Problem(unknownVideo, HttpStatusCode.NotFound);
        var count = await Problem(await http.GetAsync($"/v1/users/{user}/feed?count=51"), HttpStatusCode.BadRequest);
        Assert.True(count.GetProperty("errors").TryGetProperty("count", out _));
        await Problem(await _admin.PutAsJsonAsync("/v1/videos/nothing-here/status", new { status = "deleted" }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Creating_twice_is_a_conflict_and_the_openapi_document_is_served()
    {
        var user = await CreateUser();
        var again = await As(user).PostAsJsonAsync("/v1/users", new { id = user, language = "en", country = "US" });
        await Problem(again, HttpStatusCode.Conflict);
        var openApi = await _http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/v1/users/{userId}/feed", out _));
    }
}
